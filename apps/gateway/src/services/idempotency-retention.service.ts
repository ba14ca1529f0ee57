/**
 * Retention of Idempotency-Keys: every GATEWAY_PRUNE_INTERVAL_MS, each replica deletes the keys first used
 * more than GATEWAY_IDEMPOTENCY_RETENTION_DAYS ago (a day by default, as Stripe keeps its own), in batches
 * (RetentionPasses, shared with webhooks and billing). A client that sends the same key after that starts a
 * new request, as it would at Stripe. Counted in `gateway_idempotency_keys_pruned_total`.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Metrics } from '@tollgate/observability';
import { CONFIG, LOGGER, RetentionPasses } from '@tollgate/service-runtime';
import type { GatewayConfig } from '../gateway.config';
import { IdempotencyRepository } from '../repositories/idempotency.repository';

@Injectable()
export class IdempotencyRetention extends RetentionPasses {
  constructor(
    keys: IdempotencyRepository,
    metrics: Metrics,
    @Inject(CONFIG) config: GatewayConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    const pruned = metrics.counter(
      'gateway_idempotency_keys_pruned_total',
      'Idempotency-Keys deleted past their retention',
    );
    super(
      [
        {
          name: 'gateway.idempotency_keys',
          days: config.GATEWAY_IDEMPOTENCY_RETENTION_DAYS,
          prune: (before, limit) => keys.pruneBefore(before, limit),
        },
      ],
      config.GATEWAY_PRUNE_INTERVAL_MS,
      logger,
      (_, rows) => pruned.inc(rows),
    );
  }
}
