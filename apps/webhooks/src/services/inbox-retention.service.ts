/**
 * Retention: keeps the inbox from growing for ever. Every `WEBHOOK_INBOX_PRUNE_INTERVAL_MS`, each replica
 * deletes the rows recorded more than `WEBHOOK_INBOX_RETENTION_DAYS` ago that are done with (published or
 * ignored), oldest first, a few thousand per statement so that no transaction holds many locks for long.
 * - A row still `received` is never deleted, however old: the relay has not published it yet.
 * - The retention is at least 31 days (WebhooksConfig), longer than Stripe retries a delivery (3 days) and
 *   than its Events API lists events (30 days); CatchUpService never looks back past it. So no id the inbox
 *   forgets can come back, and dedupe by id holds.
 * - Replicas pruning at once skip each other's rows (FOR UPDATE SKIP LOCKED).
 * - Postgres reuses the space freed by the deletes (autovacuum), so a steady load keeps a steady size.
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@tollgate/service-runtime';
import { StripeEventRepository } from '../repositories/stripe-event.repository';
import { WebhooksConfig } from '../webhooks.config';
import { PeriodicPass } from './periodic-pass';
import { WebhookMetrics } from './webhook-metrics';

const BATCH = 5000;
const DAY_MS = 86_400_000;
/** The first pass waits this long after boot, so that a rolling restart does not prune from every pod at once. */
const FIRST_PASS_DELAY_MS = 60_000;

@Injectable()
export class InboxRetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly passes: PeriodicPass;
  private stopped = false;

  constructor(
    private readonly inbox: StripeEventRepository,
    private readonly metrics: WebhookMetrics,
    private readonly config: WebhooksConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.passes = new PeriodicPass(
      'inbox retention',
      async () => void (await this.pruneOnce()),
      config.WEBHOOK_INBOX_PRUNE_INTERVAL_MS,
      logger,
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.WEBHOOK_INBOX_RETENTION_DAYS > 0)
      this.passes.start(Math.min(FIRST_PASS_DELAY_MS, this.config.WEBHOOK_INBOX_PRUNE_INTERVAL_MS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.passes.stop();
  }

  /** The oldest time an event may have been recorded and still be kept; null when rows are kept for ever. */
  horizon(now = new Date()): Date | null {
    const days = this.config.WEBHOOK_INBOX_RETENTION_DAYS;
    return days > 0 ? new Date(now.getTime() - days * DAY_MS) : null;
  }

  /** One pass: deletes every done row past the retention, batch after batch; answers how many. */
  async pruneOnce(now = new Date()): Promise<number> {
    const before = this.horizon(now);
    if (!before) return 0;
    let pruned = 0;
    while (!this.stopped) {
      const deleted = await this.inbox.pruneDone(before, BATCH);
      pruned += deleted;
      this.metrics.pruned.inc(deleted);
      if (deleted < BATCH) break;
    }
    if (pruned > 0)
      this.logger.info({ pruned, recordedBefore: before.toISOString() }, 'inbox rows past retention deleted');
    return pruned;
  }
}
