/**
 * The relay: republishes events that were recorded (and so acknowledged to Stripe) but never published,
 * because JetStream was unavailable or the process died between the insert and the publish. Every replica
 * runs it; rows are claimed with FOR UPDATE SKIP LOCKED and leased, so replicas never publish the same row
 * at the same time, and a claimer that dies only delays a row by its lease. Failed attempts back off
 * exponentially (capped); the relay retries until JetStream takes the event, since nothing else would.
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, PeriodicPass } from '@tollgate/service-runtime';
import { StripeEventRepository } from '../repositories/stripe-event.repository';
import { WebhooksConfig } from '../webhooks.config';
import { StripeEventIngestService } from './stripe-event-ingest.service';
import { WebhookMetrics } from './webhook-metrics';

const BATCH = 100;
/** Longer than a batch of publications can take, so a live claimer always finishes within its lease. */
const LEASE_MS = 60_000;

@Injectable()
export class InboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly passes: PeriodicPass;
  private stopped = false;

  constructor(
    private readonly inbox: StripeEventRepository,
    private readonly ingest: StripeEventIngestService,
    private readonly metrics: WebhookMetrics,
    private readonly config: WebhooksConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.passes = new PeriodicPass(
      'relay',
      async () => {
        const n = await this.runOnce();
        if (n > 0) logger.info({ republished: n }, 'relay published recorded events');
      },
      config.WEBHOOK_RELAY_INTERVAL_MS,
      logger,
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.WEBHOOK_RELAY_ENABLED === 'true') this.passes.start();
  }

  /** Stops taking rows, finishes the pass under way and its marks, before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.passes.stop();
    await this.ingest.marksSettled();
  }

  /** One pass: publishes every due row (batch after batch); returns how many were published. */
  async runOnce(): Promise<number> {
    let published = 0;
    for (;;) {
      const due = await this.inbox.claimDue(BATCH, LEASE_MS);
      for (const event of due) {
        if (this.stopped) return published;
        const ok = await this.ingest.publish(event.id, event.type, Buffer.from(event.raw), 'relay');
        if (!ok) return published; // JetStream is refusing; the rest wait for the next tick.
        published++;
      }
      if (due.length < BATCH) break;
    }
    this.metrics.relayBacklog.set(await this.inbox.backlog());
    return published;
  }
}
