import type { DataSource, EntityManager } from 'typeorm';
import { pruneOldest } from '@tollgate/database';

/** Effect dedupe for Stripe events: the claim is part of the effect's transaction, so both commit or neither. */
export class ProcessedEventRepository {
  /**
   * True when this transaction is the first to process the event. With `lockKey`, the same statement first
   * takes that transaction-scoped advisory lock (a customer's events apply one at a time): one round trip
   * instead of two, which is measurable, since billing spends much of its CPU per event writing statements to
   * its sockets. The claim cannot miss a concurrent copy: ON CONFLICT sees rows committed while the statement
   * waited for the lock, and every later statement of the transaction takes its snapshot after the lock.
   * The row says `applied`, the common outcome; `setOutcome` corrects it in the same transaction otherwise.
   */
  async claim(em: EntityManager, eventId: string, type: string, lockKey: string | null): Promise<boolean> {
    const rows: unknown[] = await em.query(
      lockKey === null
        ? `INSERT INTO billing.processed_events (event_id, type, outcome, processed_at) VALUES ($1, $2, 'applied', now())
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`
        : `INSERT INTO billing.processed_events (event_id, type, outcome, processed_at)
           SELECT $1, $2, 'applied', now() FROM (SELECT pg_advisory_xact_lock(hashtextextended($3, 0))) AS lock
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      lockKey === null ? [eventId, type] : [eventId, type, lockKey],
    );
    return rows.length > 0;
  }

  async setOutcome(em: EntityManager, eventId: string, outcome: string): Promise<void> {
    if (outcome === 'applied') return; // what the claim wrote
    await em.query(`UPDATE billing.processed_events SET outcome = $2 WHERE event_id = $1`, [
      eventId,
      outcome,
    ]);
  }

  /**
   * Deletes up to `limit` records of events processed before `before`, oldest first, skipping rows another
   * replica is deleting; answers how many. Retention (BillingRetention) keeps records far longer than any
   * path can bring the same event back.
   */
  pruneBefore(ds: DataSource, before: Date, limit: number): Promise<number> {
    return pruneOldest(
      ds,
      { table: 'billing.processed_events', key: ['event_id'], time: 'processed_at' },
      before,
      limit,
    );
  }
}
