import { STREAMS } from '@tollgate/contracts';
import type { ServiceDefinition } from '@tollgate/service-runtime';
import { BillingConfig } from './billing.config';
import { BillingModule } from './billing.module';
import { billingDatabase } from './database';

/** The billing service: tenants, checkout, the Stripe projection, the outbox. NATS API; HTTP for health. */
export const billingDefinition: ServiceDefinition<BillingConfig> = {
  name: 'billing',
  configSchema: BillingConfig,
  port: (config) => config.BILLING_PORT,
  database: billingDatabase,
  streams: [STREAMS.stripeEvents, STREAMS.billingEvents, STREAMS.deadLetters],
  module: (platform, config) => BillingModule.forRoot(platform, config),
};
