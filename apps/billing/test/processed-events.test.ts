import { openDataSource } from '@tollgate/database';
import { createTestDatabase, eventually, type TestDatabase } from '@tollgate/testing';
import type { DataSource, QueryRunner } from 'typeorm';
import { billingDatabase } from '../src/database';
import { ProcessedEventRepository } from '../src/repositories/processed-event.repository';
import { customerLockKey } from '../src/services/stripe-event.projector';

/** The claim that starts every projection: the customer's lock and the event's dedupe record in one statement. */
describe('ProcessedEventRepository.claim', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const processed = new ProcessedEventRepository();
  const open: QueryRunner[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(billingDatabase, db.url, 4);
  });
  afterEach(async () => {
    for (const runner of open.splice(0)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  async function transaction(): Promise<QueryRunner> {
    const runner = ds.createQueryRunner();
    open.push(runner);
    await runner.startTransaction();
    return runner;
  }

  /** Resolves with the claim's answer; `settled` tells whether it has answered yet. */
  function claimIn(runner: QueryRunner, eventId: string, lockKey: string | null) {
    const state = { settled: false };
    const claimed = processed.claim(runner.manager, eventId, 'invoice.paid', lockKey).then((first) => {
      state.settled = true;
      return first;
    });
    return { claimed, state };
  }

  async function outcomeOf(eventId: string): Promise<string | undefined> {
    const rows: { outcome: string }[] = await ds.query(
      `SELECT outcome FROM billing.processed_events WHERE event_id = $1`,
      [eventId],
    );
    return rows[0]?.outcome;
  }

  it("takes the customer's lock: another event of that customer waits until the first commits", async () => {
    const a = await transaction();
    await expect(
      processed.claim(a.manager, 'evt_a1', 'invoice.paid', customerLockKey('cus_1')),
    ).resolves.toBe(true);
    const b = await transaction();
    const other = claimIn(b, 'evt_b1', customerLockKey('cus_1'));
    // Another customer is not held up meanwhile.
    const c = await transaction();
    await expect(
      processed.claim(c.manager, 'evt_c1', 'invoice.paid', customerLockKey('cus_2')),
    ).resolves.toBe(true);
    // The waiting claim is blocked on the advisory lock (not merely slow), as Postgres reports it.
    await eventually(async () => {
      const waits: { wait_event_type: string; wait_event: string }[] = await ds.query(
        `SELECT wait_event_type, wait_event FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE '%pg_advisory_xact_lock%' AND state = 'active'`,
      );
      return waits.some((w) => w.wait_event_type === 'Lock' && w.wait_event === 'advisory');
    });
    expect(other.state.settled).toBe(false);
    await a.commitTransaction();
    await expect(other.claimed).resolves.toBe(true);
    await b.commitTransaction();
    await c.commitTransaction();
  });

  it('answers false to a concurrent copy of the same event once the first commits', async () => {
    const a = await transaction();
    await expect(
      processed.claim(a.manager, 'evt_dup', 'invoice.paid', customerLockKey('cus_3')),
    ).resolves.toBe(true);
    const b = await transaction();
    const copy = claimIn(b, 'evt_dup', customerLockKey('cus_3'));
    await a.commitTransaction();
    await expect(copy.claimed).resolves.toBe(false);
    await b.commitTransaction();
  });

  it('lets the copy claim the event when the first transaction rolls back', async () => {
    const a = await transaction();
    await processed.claim(a.manager, 'evt_rolled_back', 'invoice.paid', customerLockKey('cus_4'));
    const b = await transaction();
    const copy = claimIn(b, 'evt_rolled_back', customerLockKey('cus_4'));
    await a.rollbackTransaction();
    await expect(copy.claimed).resolves.toBe(true);
    await b.commitTransaction();
    await expect(outcomeOf('evt_rolled_back')).resolves.toBe('applied');
  });

  it('claims without a lock for an event about no customer', async () => {
    const a = await transaction();
    await expect(processed.claim(a.manager, 'evt_nobody', 'invoice.paid', null)).resolves.toBe(true);
    await a.commitTransaction();
    const b = await transaction();
    await expect(processed.claim(b.manager, 'evt_nobody', 'invoice.paid', null)).resolves.toBe(false);
  });

  it('records applied unless the outcome is set otherwise in the same transaction', async () => {
    const a = await transaction();
    await processed.claim(a.manager, 'evt_applied', 'invoice.paid', customerLockKey('cus_5'));
    await processed.setOutcome(a.manager, 'evt_applied', 'applied');
    await processed.claim(a.manager, 'evt_stale', 'invoice.paid', customerLockKey('cus_5'));
    await processed.setOutcome(a.manager, 'evt_stale', 'stale');
    await a.commitTransaction();
    await expect(outcomeOf('evt_applied')).resolves.toBe('applied');
    await expect(outcomeOf('evt_stale')).resolves.toBe('stale');
  });
});
