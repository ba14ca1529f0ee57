import { BillingSubject } from '@tollgate/contracts';
import type { RetentionPasses } from '@tollgate/service-runtime';
import { eventually } from '@tollgate/testing';
import { BILLING_RETENTION } from '../src/billing.module';
import { BillingHarness, operator } from './billing-harness';

const DAY_MS = 86_400_000;
const PROCESSED = 'billing.processed_events';
const OUTBOX = 'billing.outbox';

/** Retention of billing's pipeline bookkeeping: effect records after 90 days, sent outbox rows after 7. */
describe('billing retention, scheduled', () => {
  // A pass every second (the first one a second after boot), the default retentions.
  const h = new BillingHarness();
  beforeAll(() => h.start({ env: { BILLING_PRUNE_INTERVAL_MS: '1000' } }), 60_000);
  afterAll(() => h.stop());

  const processedIds = async (): Promise<string[]> =>
    (
      await h.ds.query<{ event_id: string }[]>(
        `SELECT event_id FROM billing.processed_events ORDER BY event_id`,
      )
    ).map((r) => r.event_id);
  const outboxIds = async (): Promise<string[]> =>
    (await h.ds.query<{ id: string }[]>(`SELECT id FROM billing.outbox ORDER BY id`)).map((r) => r.id);
  const pruned = async (table: string) =>
    (await h.metric('tollgate_billing_retention_pruned_total', { table })) ?? 0;

  it('deletes effect records and sent outbox rows past their retention, keeps the rest, and still dedupes', async () => {
    const tenant = await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id: 'kept',
      name: 'Kept',
      billingEmail: 'billing@kept.test',
    });
    await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id: 'other',
      name: 'Other',
      billingEmail: 'billing@other.test',
    });
    const applied = await h.settle(tenant.stripeCustomerId!);
    expect(applied.length).toBeGreaterThan(0);
    await h.outboxObserved();
    const [sentLongAgo, ...sentRecently] = await outboxIds();
    expect(sentRecently.length).toBeGreaterThan(0);
    const processedBefore = await pruned(PROCESSED);
    const outboxBefore = await pruned(OUTBOX);

    await h.ds.query(
      `INSERT INTO billing.processed_events (event_id, type, outcome, processed_at) VALUES
         ('evt_100_days', 'invoice.paid', 'applied', now() - interval '100 days'),
         ('evt_89_days', 'invoice.paid', 'applied', now() - interval '89 days')`,
    );
    await h.ds.query(`UPDATE billing.outbox SET published_at = now() - interval '8 days' WHERE id = $1`, [
      sentLongAgo,
    ]);
    // A row never published is kept however old it is. (The relay takes it at once, so it is unpublished
    // only for a moment; it must survive either way.)
    await h.ds.query(
      `INSERT INTO billing.outbox (id, subject, payload, created_at, published_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 'billing.tenant.created.v1',
               '{"tenantId":"kept","name":"Kept"}', now() - interval '30 days', NULL)`,
    );

    await eventually(async () => !(await processedIds()).includes('evt_100_days'), {
      what: 'the 100-day-old record pruned',
    });
    await eventually(async () => !(await outboxIds()).includes(sentLongAgo), {
      what: 'the outbox row sent 8 days ago pruned',
    });
    expect(await processedIds()).toEqual(
      expect.arrayContaining(['evt_89_days', ...applied.map((event) => event.id)]),
    );
    expect(await outboxIds()).toEqual(
      expect.arrayContaining([...sentRecently, '00000000-0000-4000-8000-000000000001']),
    );
    expect(await pruned(PROCESSED)).toBe(processedBefore + 1);
    expect(await pruned(OUTBOX)).toBe(outboxBefore + 1);

    // An event whose record was kept, delivered again past the broker's window: still a no-op.
    const duplicatesBefore =
      (await h.metric('tollgate_billing_stripe_events_total', { outcome: 'duplicate' })) ?? 0;
    const outboxRows = (await outboxIds()).length;
    await h.redeliver(applied, 'after-retention');
    await h.stripeEventsConsumed();
    const duplicates =
      (await h.metric('tollgate_billing_stripe_events_total', { outcome: 'duplicate' })) ?? 0;
    expect(duplicates - duplicatesBefore).toBe(applied.length);
    expect((await outboxIds()).length).toBe(outboxRows);
  });
});

describe('billing retention, one pass', () => {
  // The default interval: the scheduled first pass is a minute away, so the test's own passes are the only ones.
  const h = new BillingHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  it('prunes a backlog larger than one statement, and only what is past the retention', async () => {
    const retention = h.app.get<RetentionPasses>(BILLING_RETENTION);
    await h.ds.query(
      `INSERT INTO billing.processed_events (event_id, type, outcome, processed_at)
       SELECT 'evt_old_' || n, 'invoice.paid', 'applied', now() - interval '100 days' + make_interval(secs => n)
         FROM generate_series(1, 12000) AS n`,
    );
    await h.ds.query(
      `INSERT INTO billing.processed_events (event_id, type, outcome, processed_at)
       VALUES ('evt_recent', 'invoice.paid', 'applied', now())`,
    );

    // Fifteen days ago, these records were 85 days old: inside the 90 days.
    expect(await retention.pruneOnce(new Date(Date.now() - 15 * DAY_MS))).toEqual({
      [PROCESSED]: 0,
      [OUTBOX]: 0,
    });
    expect(await retention.pruneOnce()).toEqual({ [PROCESSED]: 12_000, [OUTBOX]: 0 });
    const rows: { event_id: string }[] = await h.ds.query(`SELECT event_id FROM billing.processed_events`);
    expect(rows).toEqual([{ event_id: 'evt_recent' }]);
    expect((await retention.pruneOnce())[PROCESSED]).toBe(0);
  });
});
