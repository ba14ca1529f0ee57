import { ConfigError, loadConfig } from '@tollgate/config';
import { WebhooksConfig } from './webhooks.config';

const REQUIRED = { STRIPE_WEBHOOK_SECRETS: 'whsec_test' };
const load = (env: NodeJS.ProcessEnv) => loadConfig('webhooks', WebhooksConfig, { ...REQUIRED, ...env });

describe('WebhooksConfig: inbox retention', () => {
  it('keeps rows 35 days by default and prunes hourly', () => {
    expect(load({})).toMatchObject({
      WEBHOOK_INBOX_RETENTION_DAYS: 35,
      WEBHOOK_INBOX_PRUNE_INTERVAL_MS: 3_600_000,
    });
  });

  it('accepts 0 (keep for ever) and 31 days or more', () => {
    expect(load({ WEBHOOK_INBOX_RETENTION_DAYS: '0' }).WEBHOOK_INBOX_RETENTION_DAYS).toBe(0);
    expect(load({ WEBHOOK_INBOX_RETENTION_DAYS: '31' }).WEBHOOK_INBOX_RETENTION_DAYS).toBe(31);
    expect(load({ WEBHOOK_INBOX_RETENTION_DAYS: '400' }).WEBHOOK_INBOX_RETENTION_DAYS).toBe(400);
  });

  it.each(['30', '1', '-5', '2.5', 'forever'])('refuses %s at boot, naming the variable', (value) => {
    expect(() => load({ WEBHOOK_INBOX_RETENTION_DAYS: value })).toThrow(ConfigError);
    expect(() => load({ WEBHOOK_INBOX_RETENTION_DAYS: value })).toThrow(/WEBHOOK_INBOX_RETENTION_DAYS/);
  });

  it('refuses a prune interval under a second', () => {
    expect(() => load({ WEBHOOK_INBOX_PRUNE_INTERVAL_MS: '10' })).toThrow(/WEBHOOK_INBOX_PRUNE_INTERVAL_MS/);
  });
});
