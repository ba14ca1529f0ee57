import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { InboxEvent } from '@tollgate/contracts';
import { pruneOldest } from '@tollgate/database';
import type { InboxSource, InboxStatus } from '../entities';
import type { StripeEventEnvelope } from '../services/stripe-event-envelope.transform';
import { InboxPools, type NamedStatement } from './inbox-pools';

/** One event to record: its envelope, and the payload as the raw JSON bytes it came as. */
export interface InboxInsert {
  event: StripeEventEnvelope;
  raw: Buffer;
  status: InboxStatus;
  source: InboxSource;
}

export interface ClaimedEvent {
  id: string;
  type: string;
  /** The stored payload as JSON text, ready to publish. */
  raw: string;
  attempts: number;
}

interface InboxRow {
  id: string;
  type: string;
  status: InboxStatus;
  livemode: boolean;
  stripe_created_at: Date;
  received_at: Date;
  published_at: Date | null;
  payload?: unknown;
}

export function toInboxEvent(row: InboxRow): InboxEvent {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    livemode: row.livemode,
    stripeCreatedAt: row.stripe_created_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    publishedAt: row.published_at ? row.published_at.toISOString() : null,
  };
}

const RECORD: NamedStatement = {
  name: 'inbox-record-v1',
  text: `INSERT INTO webhooks.stripe_events (id, type, livemode, stripe_created_at, payload, status, source, next_attempt_at)
         SELECT r.id, r.type, r.livemode, to_timestamp(r.created), p.payload, r.status, r.source,
                CASE WHEN r.status = 'received' THEN now() + make_interval(secs => $8::double precision / 1000) END
           FROM unnest($1::text[], $2::text[], $3::boolean[], $4::bigint[], $5::text[], $6::text[])
                  WITH ORDINALITY AS r(id, type, livemode, created, status, source, n)
           JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY AS p(payload, n) ON p.n = r.n
          ORDER BY r.n
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
};

const MARK_PUBLISHED: NamedStatement = {
  name: 'inbox-mark-published-v1',
  text: `UPDATE webhooks.stripe_events
            SET status = 'published', published_at = now(), attempts = attempts + 1, next_attempt_at = NULL, last_error = NULL
          WHERE id = ANY($1::text[]) AND status = 'received'`,
};

/** The inbox (`webhooks.stripe_events`): the only code that reads or writes it. */
@Injectable()
export class StripeEventRepository {
  constructor(
    private readonly db: DataSource,
    private readonly pools: InboxPools,
  ) {}

  /**
   * Records events once each, in one statement and one commit; answers the ids it inserted (the others were
   * already in the inbox). Ids must be distinct. A `received` row is left to the request that recorded it for
   * `graceMs` before the relay may take it over.
   */
  async recordMany(rows: readonly InboxInsert[], graceMs: number): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    // Rows go in id order: two concurrent batches sharing ids then wait on each other in one order, never
    // in a cycle (ON CONFLICT waits for the other uncommitted insert of the same id).
    const sorted = [...rows].sort((a, b) => (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0));
    // The payloads travel as one JSON array of the raw bodies (no re-serialisation, no escaping); the rest as
    // parallel arrays.
    const inserted = await InboxPools.run<{ id: string }>(this.pools.writes, RECORD, [
      sorted.map((r) => r.event.id),
      sorted.map((r) => r.event.type),
      sorted.map((r) => r.event.livemode),
      sorted.map((r) => r.event.created),
      sorted.map((r) => r.status),
      sorted.map((r) => r.source),
      `[${sorted.map((r) => r.raw.toString('utf8')).join(',')}]`,
      graceMs,
    ]);
    return new Set(inserted.map((r) => r.id));
  }

  async statusOf(id: string): Promise<InboxStatus | undefined> {
    const rows: { status: InboxStatus }[] = await this.db.query(
      `SELECT status FROM webhooks.stripe_events WHERE id = $1`,
      [id],
    );
    return rows[0]?.status;
  }

  /**
   * Marks published those of `ids` still `received` (a row the relay already marked is left alone). Without
   * waiting for the WAL flush (see InboxPools): a lost mark only means one more, deduplicated, publication.
   */
  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await InboxPools.run(this.pools.bookkeeping, MARK_PUBLISHED, [[...ids].sort()]);
  }

  /**
   * Hands the events published in [since, until) back to the relay: `received` again and due now, so it
   * publishes each once more under its own id (the broker drops a copy it still holds; consumers dedupe the
   * rest). Ignored events stay ignored. Answers how many were handed back. An operator's repair, so a scan
   * of the inbox is fine.
   */
  async requeuePublished(since: Date, until: Date | null): Promise<number> {
    const [, affected]: [unknown, number] = await this.db.query(
      `UPDATE webhooks.stripe_events
          SET status = 'received', published_at = NULL, next_attempt_at = now(), last_error = NULL
        WHERE status = 'published' AND published_at >= $1 AND ($2::timestamptz IS NULL OR published_at < $2)`,
      [since, until],
    );
    return affected;
  }

  /** Counts the failed attempt and schedules the next one: base·2^attempts, capped. */
  async markPublishFailed(id: string, error: string, baseMs: number, maxMs: number): Promise<void> {
    await this.db.query(
      `UPDATE webhooks.stripe_events
          SET attempts = attempts + 1,
              last_error = $2,
              next_attempt_at = now() + make_interval(secs => LEAST($4::double precision, $3 * power(2, LEAST(attempts, 30))) / 1000)
        WHERE id = $1 AND status = 'received'`,
      [id, error.slice(0, 1000), baseMs, maxMs],
    );
  }

  /**
   * Claims recorded-but-unpublished events that are due, leasing them for `leaseMs` so another replica (or
   * this one, next tick) leaves them alone meanwhile; a crashed claimer's lease simply runs out.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedEvent[]> {
    // TypeORM answers an UPDATE ... RETURNING as [rows, affected].
    const [rows]: [ClaimedEvent[], number] = await this.db.query(
      `UPDATE webhooks.stripe_events e
          SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM (SELECT id FROM webhooks.stripe_events
                WHERE status = 'received' AND next_attempt_at <= now()
                ORDER BY next_attempt_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED) due
        WHERE e.id = due.id
        RETURNING e.id, e.type, e.payload::text AS raw, e.attempts`,
      [limit, leaseMs],
    );
    return rows;
  }

  /**
   * Deletes up to `limit` of the oldest rows recorded before `before` that are done with (published or
   * ignored), and answers how many. A row still `received` belongs to the relay and is never deleted. Replicas
   * pruning at once skip each other's rows.
   */
  pruneDone(before: Date, limit: number): Promise<number> {
    return pruneOldest(
      this.db,
      { table: 'webhooks.stripe_events', key: ['id'], time: 'received_at', eligible: `status <> 'received'` },
      before,
      limit,
    );
  }

  async backlog(): Promise<number> {
    const rows: { n: string }[] = await this.db.query(
      `SELECT count(*) AS n FROM webhooks.stripe_events WHERE status = 'received'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The subset of `ids` already in the inbox. */
  async knownIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM webhooks.stripe_events WHERE id = ANY($1)`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Newest first; the cursor is the id of the last event seen (its exact received_at is read back). */
  async list(options: { limit: number; cursor?: string; status?: string }): Promise<InboxEvent[]> {
    const params: unknown[] = [options.limit];
    const where: string[] = [];
    if (options.status) {
      params.push(options.status);
      where.push(`status = $${params.length}`);
    }
    if (options.cursor) {
      params.push(options.cursor);
      where.push(
        `(received_at, id) < (SELECT c.received_at, c.id FROM webhooks.stripe_events c WHERE c.id = $${params.length})`,
      );
    }
    const rows: InboxRow[] = await this.db.query(
      `SELECT id, type, status, livemode, stripe_created_at, received_at, published_at
         FROM webhooks.stripe_events
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY received_at DESC, id DESC
        LIMIT $1`,
      params,
    );
    return rows.map(toInboxEvent);
  }

  async get(id: string): Promise<(InboxEvent & { payload: unknown }) | undefined> {
    const rows: InboxRow[] = await this.db.query(
      `SELECT id, type, status, livemode, stripe_created_at, received_at, published_at, payload
         FROM webhooks.stripe_events WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? { ...toInboxEvent(row), payload: row.payload } : undefined;
  }
}
