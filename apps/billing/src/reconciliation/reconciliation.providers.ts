/** What the billing module registers for reconciliation (one line there): the service, its subjects, metrics. */
import type { Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { loadConfig } from '@tollgate/config';
import { NatsBus } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import { LOGGER } from '@tollgate/service-runtime';
import { createStripeClient } from '@tollgate/stripe-client';
import type { BillingConfig } from '../billing.config';
import { CatalogPrices } from '../services/catalog-sync.service';
import { StripeEventProjector } from '../services/stripe-event.projector';
import { NatsCatchUpAdapter } from './adapters/catch-up.adapter';
import { ReconciliationRequestsHandler } from './handlers/reconciliation-requests.handler';
import { ReconciliationSettings } from './reconciliation.settings';
import { registerReconciliationMetrics } from './services/reconciliation.metrics';
import { ReconciliationService } from './services/reconciliation.service';

export function reconciliationProviders(
  config: BillingConfig,
  env: NodeJS.ProcessEnv = process.env,
): Provider[] {
  const settings = loadConfig('billing', ReconciliationSettings, env);
  return [
    {
      provide: ReconciliationService,
      inject: [DataSource, StripeEventProjector, CatalogPrices, NatsBus, LOGGER, Metrics],
      useFactory: (
        ds: DataSource,
        projector: StripeEventProjector,
        prices: CatalogPrices,
        bus: NatsBus,
        logger: Logger,
        metrics: Metrics,
      ) => {
        const service = new ReconciliationService({
          ds,
          // Its own client: 429s are the reconciliation's rate limiter's to handle.
          stripe: createStripeClient({
            secretKey: config.STRIPE_SECRET_KEY,
            apiBase: config.STRIPE_API_BASE,
          }),
          projector,
          prices,
          catchUp: new NatsCatchUpAdapter(bus, settings.RECONCILE_CATCH_UP_TIMEOUT_MS),
          logger: logger.child({ component: 'reconciliation' }),
          settings,
        });
        registerReconciliationMetrics(metrics, service.repo);
        return service;
      },
    },
    ReconciliationRequestsHandler,
  ];
}
