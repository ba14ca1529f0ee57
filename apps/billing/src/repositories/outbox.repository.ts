import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { pruneOldest } from '@tollgate/database';
import type { EventMap, EventSubject } from '@tollgate/contracts';
import { currentCorrelationId } from '@tollgate/observability';
import { OutboxMessageEntity } from '../entities';

export interface ClaimedMessage {
  id: string;
  subject: EventSubject;
  payload: unknown;
  correlationId: string | null;
}

/** Domain events are written here in the transaction of their effect; the relay publishes them. */
export class OutboxRepository {
  async enqueue<S extends EventSubject>(
    em: EntityManager,
    subject: S,
    payload: EventMap[S],
  ): Promise<string> {
    const id = randomUUID();
    await em.insert(OutboxMessageEntity, {
      id,
      subject,
      payload: payload as object,
      correlationId: currentCorrelationId() ?? null,
      createdAt: new Date(),
      publishedAt: null,
    });
    return id;
  }

  /**
   * Marks the rows published in [since, until) unpublished again, so the relay publishes each once more under
   * its own id (the broker drops a copy it still holds; consumers are idempotent on the rest). Answers how
   * many. An operator's repair after a broker lost acknowledged messages, so a scan of the outbox is fine.
   */
  async requeuePublished(ds: DataSource, since: Date, until: Date | null): Promise<number> {
    const [, affected]: [unknown, number] = await ds.query(
      `UPDATE billing.outbox SET published_at = NULL
        WHERE published_at >= $1 AND ($2::timestamptz IS NULL OR published_at < $2)`,
      [since, until],
    );
    return affected;
  }

  /**
   * Deletes up to `limit` rows published before `before`, oldest first, skipping rows another replica is
   * deleting; answers how many. A row still unpublished (or handed back by `requeuePublished`) is kept.
   */
  pruneSent(ds: DataSource, before: Date, limit: number): Promise<number> {
    return pruneOldest(ds, { table: 'billing.outbox', key: ['id'], time: 'published_at' }, before, limit);
  }

  /**
   * Claims up to `limit` unpublished rows (FOR UPDATE SKIP LOCKED, so replicas share the work), hands them to
   * `publish` in creation order, and marks the ones it published; a publish failure rolls the claim back.
   */
  async relayBatch(
    ds: DataSource,
    limit: number,
    publish: (message: ClaimedMessage) => Promise<void>,
  ): Promise<number> {
    return ds.transaction(async (em) => {
      const rows: { id: string; subject: EventSubject; payload: unknown; correlation_id: string | null }[] =
        await em.query(
          `SELECT id, subject, payload, correlation_id FROM billing.outbox
          WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
      for (const row of rows)
        await publish({
          id: row.id,
          subject: row.subject,
          payload: row.payload,
          correlationId: row.correlation_id,
        });
      if (rows.length > 0)
        await em.query(`UPDATE billing.outbox SET published_at = now() WHERE id = ANY($1::uuid[])`, [
          rows.map((r) => r.id),
        ]);
      return rows.length;
    });
  }
}
