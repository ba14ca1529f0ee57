import { createStripeClient } from '@tollgate/stripe-client';
import { eventually } from '@tollgate/testing';
import { startEmulator, type RunningEmulator } from '../../stripe-emulator/src/emulator';
import { SECRET, metricValue, startHarness, type Harness } from './webhooks-harness';

describe('deliveries from the Stripe emulator', () => {
  let h: Harness;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    h = await startHarness();
    // Every event is delivered twice, as Stripe may do.
    emulator = await startEmulator({
      port: 0,
      webhookUrl: `${h.url}/webhooks/stripe`,
      webhookSecret: SECRET,
      faults: { duplicateRate: 1 },
    });
  });
  afterAll(async () => {
    await emulator.stop();
    await h.close();
  });

  it('verifies, records and publishes an event Stripe signed, once despite a duplicate delivery', async () => {
    const stripe = createStripeClient({ secretKey: 'sk_test_emulator', apiBase: emulator.url });
    const customer = await stripe.customers.create({ email: 'owner@acme.test', name: 'Acme' });
    const row = await eventually(
      async () => {
        const result = await h.sql.query<{ id: string; status: string }>(
          `SELECT id, status FROM webhooks.stripe_events WHERE type = 'customer.created' AND payload->'data'->'object'->>'id' = $1`,
          [customer.id],
        );
        return result.rows[0]?.status === 'published' ? result.rows[0] : undefined;
      },
      { what: 'the customer.created event to be published' },
    );
    expect(await h.lastMsgId('customer.created')).toBe(row.id);
    await eventually(async () => (await metricValue(h, 'tollgate_webhooks_duplicates_total')) >= 1, {
      what: 'the duplicate delivery',
    });
    const { rows } = await h.sql.query(
      `SELECT id FROM webhooks.stripe_events WHERE type = 'customer.created'`,
    );
    expect(rows).toHaveLength(1);
    expect(await metricValue(h, 'tollgate_webhooks_rejected_total')).toBe(0);
  });
});
