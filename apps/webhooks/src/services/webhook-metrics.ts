import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics } from '@tollgate/observability';
import type { SignatureFailure } from './stripe-signature.verifier';

export type RejectionReason = SignatureFailure | 'payload_too_large' | 'empty_body' | 'payload_malformed';

/** Seconds; the 10 ms bound of the acknowledgement target is one of them. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** The webhooks service's own counters, in one place so their names and labels stay consistent. */
@Injectable()
export class WebhookMetrics {
  readonly received: Counter;
  readonly rejected: Counter<'reason'>;
  readonly duplicates: Counter;
  readonly ignored: Counter<'type'>;
  readonly published: Counter<'source'>;
  readonly publishFailed: Counter;
  readonly deadLettered: Counter<'consumer'>;
  readonly replayed: Counter<'consumer'>;
  readonly pruned: Counter;
  readonly relayBacklog: Gauge;
  readonly ackSeconds: Histogram<'outcome'>;
  readonly recordSeconds: Histogram;
  readonly publishSeconds: Histogram<'source'>;

  constructor(metrics: Metrics) {
    this.received = metrics.counter(
      'webhooks_received_total',
      'Webhook deliveries received on POST /webhooks/stripe',
    );
    this.rejected = metrics.counter('webhooks_rejected_total', 'Webhook deliveries refused, by reason', [
      'reason',
    ]);
    this.duplicates = metrics.counter(
      'webhooks_duplicates_total',
      'Verified deliveries of an event already recorded',
    );
    this.ignored = metrics.counter(
      'webhooks_ignored_total',
      'Events recorded but not published (not allowlisted)',
      ['type'],
    );
    this.published = metrics.counter('webhooks_published_total', 'Events published to JetStream, by path', [
      'source',
    ]);
    this.publishFailed = metrics.counter(
      'webhooks_publish_failed_total',
      'Failed attempts to publish a recorded event',
    );
    this.deadLettered = metrics.counter('webhooks_dead_letters_total', 'Dead letters recorded, by consumer', [
      'consumer',
    ]);
    this.replayed = metrics.counter(
      'webhooks_dead_letters_replayed_total',
      'Dead letters replayed, by consumer',
      ['consumer'],
    );
    this.pruned = metrics.counter(
      'webhooks_inbox_pruned_total',
      'Inbox rows deleted past their retention (published or ignored events only)',
    );
    this.relayBacklog = metrics.gauge('webhooks_relay_backlog', 'Recorded events not yet published');
    this.ackSeconds = metrics.histogram(
      'webhooks_ack_seconds',
      'Time from receiving a webhook to answering it',
      ['outcome'],
      ACK_BUCKETS,
    );
    // The two waits inside an answer, so that a slow answer can be put down to the database or the broker.
    this.recordSeconds = metrics.histogram(
      'webhooks_record_seconds',
      'Time a delivery waits for its inbox row to commit (queueing for the group commit included)',
      [],
      ACK_BUCKETS,
    );
    this.publishSeconds = metrics.histogram(
      'webhooks_publish_seconds',
      'Time from publishing a recorded event to JetStream to its acknowledgement, by path',
      ['source'],
      ACK_BUCKETS,
    );
  }

  reject(reason: RejectionReason): void {
    this.rejected.inc({ reason });
  }
}
