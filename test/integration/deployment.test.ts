/**
 * docker-compose.yml and k8s/ cannot run here (no container engine), so they are validated instead: every
 * command they run is a program this repository builds, every port is the contract's, every service has
 * readiness and liveness probes, and no manifest carries a real-looking secret.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { loadConfig } from '@tollgate/config';
import { BillingConfig } from '../../apps/billing/src/billing.config';
import { EntitlementsConfig } from '../../apps/entitlements/src/entitlements.config';
import { GatewayConfig } from '../../apps/gateway/src/gateway.config';
import { NotificationsConfig } from '../../apps/notifications/src/notifications.config';
import { WebhooksConfig } from '../../apps/webhooks/src/webhooks.config';

const ROOT = join(__dirname, '..', '..');
const CONFIGS: Record<string, new () => object> = {
  gateway: GatewayConfig,
  webhooks: WebhooksConfig,
  billing: BillingConfig,
  entitlements: EntitlementsConfig,
  notifications: NotificationsConfig,
};
const CONTRACT_PORTS: Record<string, number> = {
  gateway: 3000,
  webhooks: 3001,
  billing: 3002,
  entitlements: 3003,
  notifications: 3004,
};

/** `dist/apps/x/src/main.js` → `apps/x/src/main.ts` must exist. */
function sourceOf(command: string[]): string {
  const entry = command.find((part) => part.startsWith('dist/'))!;
  return join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

/** Applies YAML merge keys (`<<: *anchor`) the way Compose does. */
function merged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(merged);
  if (!value || typeof value !== 'object') return value;
  const { '<<': base, ...rest } = value as Record<string, unknown>;
  const out: Record<string, unknown> = base ? { ...(merged(base) as object) } : {};
  for (const [k, v] of Object.entries(rest)) out[k] = merged(v);
  return out;
}

describe('docker-compose.yml', () => {
  const compose = merged(loadAll(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'))[0]) as {
    services: Record<string, { command?: string[]; ports?: string[]; environment?: Record<string, string> }>;
  };

  it('runs a program this repository builds for every Tollgate service', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.command?.[0] !== 'node') continue;
      expect({ name, exists: existsSync(sourceOf(service.command)) }).toEqual({ name, exists: true });
    }
  });

  it('has all five services, Postgres, NATS with JetStream, the emulator and the SMTP catcher', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        ...Object.keys(CONTRACT_PORTS),
        'postgres',
        'nats',
        'stripe-emulator',
        'smtp-catcher',
        'migrate',
      ]),
    );
    expect((compose.services.nats as { command: string[] }).command).toContain('-js');
  });

  it("publishes the contract's public ports", () => {
    expect(compose.services.gateway.ports).toContain('3000:3000');
    expect(compose.services.webhooks.ports).toContain('3001:3001');
    expect(compose.services['stripe-emulator'].ports).toContain('12111:12111');
  });

  it('configures every variable the contract names', () => {
    const env = compose.services.billing.environment!;
    for (const key of [
      'DATABASE_URL',
      'NATS_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRETS',
      'AUTH_JWT_SECRET',
      'SMTP_URL',
    ])
      expect(env).toHaveProperty(key);
  });
});

describe('k8s manifests', () => {
  const docs = readdirSync(join(ROOT, 'k8s'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadAll(readFileSync(join(ROOT, 'k8s', f), 'utf8')) as any[]);
  const deployments = docs.filter((d) => d?.kind === 'Deployment');

  it('parses and every document has a kind and a name', () => {
    for (const doc of docs) expect([doc.kind, doc.metadata?.name].every(Boolean)).toBe(true);
  });

  it('deploys each service on its contract port with readiness and liveness probes', () => {
    for (const [name, port] of Object.entries(CONTRACT_PORTS)) {
      const deployment = deployments.find((d) => d.metadata.name === `tollgate-${name}`);
      expect(deployment).toBeDefined();
      const container = deployment.spec.template.spec.containers[0];
      expect(container.ports[0].containerPort).toBe(port);
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health');
      expect(existsSync(sourceOf(container.command))).toBe(true);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
    }
  });

  it('runs reconciliation as a CronJob that never overlaps, with a program this repository builds', () => {
    const cron = docs.find((d) => d.kind === 'CronJob' && d.metadata.name === 'tollgate-reconcile');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(existsSync(sourceOf(container.command))).toBe(true);
    expect(container.command).toEqual(['node', 'dist/scripts/reconcile.js']);
  });

  it('configures each service with settings it reads and values it accepts', () => {
    const shared = {
      ...docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'tollgate-config').data,
      ...docs.find((d) => d.kind === 'Secret').stringData,
    } as Record<string, string>;
    const known = new Set(Object.values(CONFIGS).flatMap((config) => Object.keys(new config())));
    for (const key of Object.keys(shared))
      expect({ key, known: known.has(key) }).toEqual({ key, known: true });
    for (const [name, config] of Object.entries(CONFIGS)) {
      const container = deployments.find((d) => d.metadata.name === `tollgate-${name}`).spec.template.spec
        .containers[0];
      const own = Object.fromEntries(
        (container.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      expect(() => loadConfig(name, config, { ...shared, ...own })).not.toThrow();
    }
  });

  it('runs migrations as one Job and keeps secrets out of the manifests', () => {
    const job = docs.find((d) => d.kind === 'Job');
    expect(existsSync(sourceOf(job.spec.template.spec.containers[0].command))).toBe(true);
    const secret = docs.find((d) => d.kind === 'Secret');
    for (const value of Object.values(secret.stringData as Record<string, string>))
      expect(value).toMatch(/CHANGE_ME/);
  });
});
