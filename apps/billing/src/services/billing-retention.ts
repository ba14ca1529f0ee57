/**
 * Retention for billing's pipeline bookkeeping, which would otherwise grow by a row per Stripe event and per
 * domain event for ever (RetentionPasses, shared with webhooks' inbox):
 * - `processed_events`, the effect dedupe, after BILLING_PROCESSED_EVENTS_RETENTION_DAYS (90). Every path that
 *   can bring an event back reaches less far: JetStream keeps Stripe events 30 days, the inbox (whose rows an
 *   operator's republish hands back) 35 by default, Stripe lists 30. An event older than the record would
 *   still meet the projector's ordering guard, which refuses it as stale against the state it already moved.
 * - published `outbox` rows, after BILLING_OUTBOX_RETENTION_DAYS (7): the relay is done with them, and only an
 *   operator's republish reads them again. Unpublished rows are never deleted.
 * Counted in `billing_retention_pruned_total{table}`.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Metrics } from '@tollgate/observability';
import { RetentionPasses } from '@tollgate/service-runtime';
import type { BillingConfig } from '../billing.config';
import { OutboxRepository } from '../repositories/outbox.repository';
import { ProcessedEventRepository } from '../repositories/processed-event.repository';

export function billingRetention(
  ds: DataSource,
  config: BillingConfig,
  metrics: Metrics,
  logger: Logger,
): RetentionPasses {
  const processed = new ProcessedEventRepository();
  const outbox = new OutboxRepository();
  const pruned = metrics.counter(
    'billing_retention_pruned_total',
    'Rows deleted past their retention, by table',
    ['table'],
  );
  return new RetentionPasses(
    [
      {
        name: 'billing.processed_events',
        days: config.BILLING_PROCESSED_EVENTS_RETENTION_DAYS,
        prune: (before, limit) => processed.pruneBefore(ds, before, limit),
      },
      {
        name: 'billing.outbox',
        days: config.BILLING_OUTBOX_RETENTION_DAYS,
        prune: (before, limit) => outbox.pruneSent(ds, before, limit),
      },
    ],
    config.BILLING_PRUNE_INTERVAL_MS,
    logger,
    (table, rows) => pruned.inc({ table }, rows),
  );
}
