/**
 * Durability policy of the inbox (shared by webhook deliveries and catch-up):
 * 1. Record first: INSERT ... ON CONFLICT (id) DO NOTHING into webhooks.stripe_events. Concurrent deliveries
 *    share one statement and one commit (group commit); each waits for its own row's outcome, and a failed
 *    commit fails every delivery in it. Once the commit is done, the event is ours; nothing after it may lose it.
 * 2. Then publish the bytes to JetStream as `stripe.event.v1.<type>` with Nats-Msg-Id = event id. The row is
 *    marked published afterwards, in batches, off the acknowledgement path. If publishing fails (or the
 *    process dies before the mark commits) the row stays `received` and the relay republishes it once its
 *    grace has run out; broker dedupe (Nats-Msg-Id) and consumers' own dedupe make a republish harmless.
 * 3. A duplicate delivery has no second effect: its insert is a no-op. Only if the first copy is still
 *    unpublished do we try to publish it now, which is exactly the relay's job done early.
 * 4. Types outside the allowlist are recorded as `ignored` (so they are not fetched again by catch-up) and
 *    never published.
 */
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { stripeEventSubject } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { LOGGER } from '@tollgate/service-runtime';
import type { InboxSource } from '../entities';
import { StripeEventRepository, type InboxInsert } from '../repositories/stripe-event.repository';
import { WebhooksConfig } from '../webhooks.config';
import { EventAllowlist } from './event-allowlist';
import { GroupCommitBatcher } from './group-commit.batcher';
import type { StripeEventEnvelope } from './stripe-event-envelope.transform';
import { WebhookMetrics } from './webhook-metrics';

export type IngestOutcome = 'published' | 'recorded' | 'ignored' | 'duplicate';

/** First retry of a failed publication after this long; doubles per attempt up to the configured cap. */
export const PUBLISH_RETRY_BASE_MS = 1000;

/**
 * Inserts in flight at once, and rows per insert. Two commits in flight keep Postgres busy while the next batch
 * gathers; more would only make smaller batches, costing CPU that the 2xx path shares with everything else.
 */
const RECORD_BATCH = { maxConcurrent: 2, maxBatch: 500 };
/**
 * Marks are bookkeeping: one update at a time, at most ten a second, as large as the backlog. Flushed as soon
 * as possible, they ran as one statement per handful of events, which cost Postgres more CPU than the inserts.
 */
const MARK_BATCH = { maxConcurrent: 1, maxBatch: 5000, minIntervalMs: 100 };

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the row, not the database, is at fault. */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

@Injectable()
export class StripeEventIngestService implements BeforeApplicationShutdown {
  private readonly records = new GroupCommitBatcher<InboxInsert, boolean | Error>(
    (items) => this.recordBatch(items),
    RECORD_BATCH,
  );
  private readonly marks = new GroupCommitBatcher<string, void>(async (ids) => {
    await this.inbox.markPublished(ids);
    return ids.map(() => undefined);
  }, MARK_BATCH);

  constructor(
    private readonly inbox: StripeEventRepository,
    private readonly bus: NatsBus,
    private readonly allowlist: EventAllowlist,
    private readonly metrics: WebhookMetrics,
    private readonly config: WebhooksConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async ingest(raw: Buffer, event: StripeEventEnvelope, source: InboxSource): Promise<IngestOutcome> {
    const allowed = this.allowlist.allows(event.type);
    const recordTimer = this.metrics.recordSeconds.startTimer();
    const recorded = await this.records
      .submit({ event, raw, status: allowed ? 'received' : 'ignored', source })
      .finally(recordTimer);
    if (recorded instanceof Error) throw recorded;
    if (!recorded) {
      this.metrics.duplicates.inc();
      if ((await this.inbox.statusOf(event.id)) === 'received')
        await this.publish(event.id, event.type, raw, source);
      return 'duplicate';
    }
    if (!allowed) {
      this.metrics.ignored.inc({ type: event.type });
      return 'ignored';
    }
    return (await this.publish(event.id, event.type, raw, source)) ? 'published' : 'recorded';
  }

  /** Publishes a recorded event; on failure schedules the relay's next attempt. Never throws. */
  async publish(id: string, type: string, raw: Uint8Array, source: InboxSource | 'relay'): Promise<boolean> {
    const publishTimer = this.metrics.publishSeconds.startTimer({ source });
    try {
      await this.bus.publishRaw(stripeEventSubject(type), raw, { msgId: id });
      publishTimer();
    } catch (error) {
      this.metrics.publishFailed.inc();
      this.logger.warn(
        { err: error, eventId: id, type },
        'publishing a recorded Stripe event failed; the relay will retry',
      );
      await this.inbox
        .markPublishFailed(id, String(error), PUBLISH_RETRY_BASE_MS, this.config.WEBHOOK_RELAY_MAX_BACKOFF_MS)
        .catch((dbError: unknown) =>
          this.logger.error({ err: dbError, eventId: id }, 'could not schedule a retry'),
        );
      return false;
    }
    this.metrics.published.inc({ source });
    // Published but not (yet) marked: should the mark be lost, the relay publishes again after the grace,
    // which the broker and consumers dedupe.
    this.marks
      .submit(id)
      .catch((dbError: unknown) =>
        this.logger.error({ err: dbError, eventId: id }, 'could not mark an event published'),
      );
    return true;
  }

  /** Resolves once every publication so far is marked in the inbox (or its mark has failed). */
  async marksSettled(): Promise<void> {
    await this.marks.settled();
  }

  /** Marks what was published before the database pool closes, so the relay has less to redo. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.records.settled();
    await this.marks.settled();
  }

  /**
   * One group commit. The first copy of an id in the batch may insert it; later copies are duplicates of it.
   * If the statement fails because of a row (say, a payload Postgres refuses), each row is recorded alone,
   * so only the faulty delivery fails; any other failure fails the whole batch.
   */
  private async recordBatch(items: InboxInsert[]): Promise<(boolean | Error)[]> {
    const first = new Map<string, InboxInsert>();
    for (const item of items) if (!first.has(item.event.id)) first.set(item.event.id, item);
    const grace = this.config.WEBHOOK_RELAY_GRACE_MS;
    let inserted: Set<string>;
    try {
      inserted = await this.inbox.recordMany([...first.values()], grace);
    } catch (error) {
      if (first.size === 1 || !isRowError(error)) throw error;
      const alone = new Map<string, boolean | Error>();
      for (const item of first.values()) {
        try {
          alone.set(item.event.id, (await this.inbox.recordMany([item], grace)).has(item.event.id));
        } catch (rowError) {
          alone.set(item.event.id, rowError instanceof Error ? rowError : new Error(String(rowError)));
        }
      }
      return items.map((item) => {
        const outcome = alone.get(item.event.id) ?? false;
        return outcome instanceof Error ? outcome : outcome && first.get(item.event.id) === item;
      });
    }
    return items.map((item) => first.get(item.event.id) === item && inserted.has(item.event.id));
  }
}
