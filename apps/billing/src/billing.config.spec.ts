import { ConfigError, loadConfig } from '@tollgate/config';
import { BillingConfig } from './billing.config';

const REQUIRED = { STRIPE_SECRET_KEY: 'sk_test_billing' };
const load = (env: NodeJS.ProcessEnv) => loadConfig('billing', BillingConfig, { ...REQUIRED, ...env });

describe('BillingConfig: retention', () => {
  it('keeps effect records 90 days and sent outbox rows 7 by default, and prunes hourly', () => {
    expect(load({})).toMatchObject({
      BILLING_PROCESSED_EVENTS_RETENTION_DAYS: 90,
      BILLING_OUTBOX_RETENTION_DAYS: 7,
      BILLING_PRUNE_INTERVAL_MS: 3_600_000,
    });
  });

  it('accepts 0 (keep for ever), 31 days or more for effect records and a day or more for the outbox', () => {
    expect(
      load({ BILLING_PROCESSED_EVENTS_RETENTION_DAYS: '0', BILLING_OUTBOX_RETENTION_DAYS: '0' }),
    ).toMatchObject({ BILLING_PROCESSED_EVENTS_RETENTION_DAYS: 0, BILLING_OUTBOX_RETENTION_DAYS: 0 });
    expect(
      load({ BILLING_PROCESSED_EVENTS_RETENTION_DAYS: '31', BILLING_OUTBOX_RETENTION_DAYS: '1' }),
    ).toMatchObject({ BILLING_PROCESSED_EVENTS_RETENTION_DAYS: 31, BILLING_OUTBOX_RETENTION_DAYS: 1 });
  });

  it.each(['30', '1', '-5', '2.5', 'forever'])(
    'refuses %s days of effect records at boot, naming the variable',
    (value) => {
      expect(() => load({ BILLING_PROCESSED_EVENTS_RETENTION_DAYS: value })).toThrow(ConfigError);
      expect(() => load({ BILLING_PROCESSED_EVENTS_RETENTION_DAYS: value })).toThrow(
        /BILLING_PROCESSED_EVENTS_RETENTION_DAYS/,
      );
    },
  );

  it.each(['-1', '0.5', 'week'])('refuses %s days of outbox rows at boot, naming the variable', (value) => {
    expect(() => load({ BILLING_OUTBOX_RETENTION_DAYS: value })).toThrow(/BILLING_OUTBOX_RETENTION_DAYS/);
  });

  it('refuses a prune interval under a second', () => {
    expect(() => load({ BILLING_PRUNE_INTERVAL_MS: '10' })).toThrow(/BILLING_PRUNE_INTERVAL_MS/);
  });
});
