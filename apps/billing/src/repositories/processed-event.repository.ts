import type { EntityManager } from 'typeorm';

/** Effect dedupe for Stripe events: the claim is part of the effect's transaction, so both commit or neither. */
export class ProcessedEventRepository {
  /** True when this transaction is the first to process the event. */
  async claim(em: EntityManager, eventId: string, type: string): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO billing.processed_events (event_id, type, outcome, processed_at) VALUES ($1, $2, 'pending', now())
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [eventId, type],
    );
    return rows.length > 0;
  }

  async setOutcome(em: EntityManager, eventId: string, outcome: string): Promise<void> {
    await em.query(`UPDATE billing.processed_events SET outcome = $2 WHERE event_id = $1`, [
      eventId,
      outcome,
    ]);
  }
}
