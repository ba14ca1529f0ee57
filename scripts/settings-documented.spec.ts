/**
 * Every environment variable a Tollgate process reads is documented, with the default the code has: each
 * property validated on a service's config class must be the first cell of a table row in docs/ (variable,
 * default, meaning), and that row's default must be the class's initializer. A setting added without its
 * row, or a default changed in one place only, fails here.
 */
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { PlatformConfig } from '@tollgate/config';
import { BillingConfig } from '../apps/billing/src/billing.config';
import { EntitlementsConfig } from '../apps/entitlements/src/entitlements.config';
import { GatewayConfig } from '../apps/gateway/src/gateway.config';
import { NotificationsConfig } from '../apps/notifications/src/notifications.config';
import { SmtpCatcherConfig } from '../apps/smtp-catcher/src/smtp-catcher.config';
import { WebhooksConfig } from '../apps/webhooks/src/webhooks.config';

const CONFIGS: (new () => object)[] = [
  PlatformConfig,
  BillingConfig,
  EntitlementsConfig,
  GatewayConfig,
  NotificationsConfig,
  SmtpCatcherConfig,
  WebhooksConfig,
];

/** `| \`NAME\` | default | meaning |` rows of every document under docs/, by variable. */
function documentedDefaults(): Map<string, string[]> {
  const docs = join(__dirname, '..', 'docs');
  const rows = new Map<string, string[]>();
  for (const file of readdirSync(docs).filter((f) => f.endsWith('.md')))
    for (const line of readFileSync(join(docs, file), 'utf8').split('\n')) {
      const row = /^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|([^|]*)\|/.exec(line);
      if (row) rows.set(row[1], [...(rows.get(row[1]) ?? []), row[2].trim().replace(/^`(.*)`$/, '$1')]);
    }
  return rows;
}

function settingsOf(config: new () => object): { name: string; initial: unknown }[] {
  const instance = new config() as Record<string, unknown>;
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(config, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set(names)].map((name) => ({ name, initial: instance[name] }));
}

/** How a default reads in a table: its value, `empty` for ''. Undefined (no default) is told in words. */
function expectedCell(initial: unknown): string | undefined {
  if (initial === undefined) return undefined;
  if (initial === '') return 'empty';
  return typeof initial === 'string' ? initial : JSON.stringify(initial);
}

describe('settings documentation', () => {
  const documented = documentedDefaults();
  const cases = CONFIGS.flatMap((config) => settingsOf(config).map((s) => ({ config: config.name, ...s })));

  it('finds the settings (the check itself works)', () => {
    expect(cases.length).toBeGreaterThan(40);
    expect(documented.size).toBeGreaterThan(40);
  });

  it.each(cases)('$name ($config) is documented with its default', ({ name, initial }) => {
    const cells = documented.get(name);
    expect(cells).toBeDefined();
    const expected = expectedCell(initial);
    for (const cell of cells!)
      if (expected === undefined) expect(cell).not.toBe('');
      else expect({ name, default: cell }).toEqual({ name, default: expected });
  });
});
