/**
 * Retention: keeps the inbox from growing for ever. Every `WEBHOOK_INBOX_PRUNE_INTERVAL_MS`, each replica
 * deletes the rows recorded more than `WEBHOOK_INBOX_RETENTION_DAYS` ago that are done with (published or
 * ignored), oldest first, in batches (RetentionPasses, shared with billing and the gateway).
 * - A row still `received` is never deleted, however old: the relay has not published it yet.
 * - The retention is at least 31 days (WebhooksConfig), longer than Stripe retries a delivery (3 days) and
 *   than its Events API lists events (30 days); CatchUpService never looks back past it. So no id the inbox
 *   forgets can come back, and dedupe by id holds.
 * - Replicas pruning at once skip each other's rows (FOR UPDATE SKIP LOCKED).
 * - Postgres reuses the space freed by the deletes (autovacuum), so a steady load keeps a steady size.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, RetentionPasses, retentionHorizon } from '@tollgate/service-runtime';
import { StripeEventRepository } from '../repositories/stripe-event.repository';
import { WebhooksConfig } from '../webhooks.config';
import { WebhookMetrics } from './webhook-metrics';

const INBOX = 'webhooks.stripe_events';

@Injectable()
export class InboxRetentionService extends RetentionPasses {
  constructor(
    inbox: StripeEventRepository,
    metrics: WebhookMetrics,
    private readonly config: WebhooksConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(
      [
        {
          name: INBOX,
          days: config.WEBHOOK_INBOX_RETENTION_DAYS,
          prune: (before, limit) => inbox.pruneDone(before, limit),
        },
      ],
      config.WEBHOOK_INBOX_PRUNE_INTERVAL_MS,
      logger,
      (_, rows) => metrics.pruned.inc(rows),
    );
  }

  /** The oldest time an event may have been recorded and still be kept; null when rows are kept for ever. */
  horizon(now = new Date()): Date | null {
    return retentionHorizon(this.config.WEBHOOK_INBOX_RETENTION_DAYS, now);
  }

  /** One pass: deletes every done row past the retention, batch after batch; answers how many. */
  async pruneInbox(now = new Date()): Promise<number> {
    return (await this.pruneOnce(now))[INBOX] ?? 0;
  }
}
