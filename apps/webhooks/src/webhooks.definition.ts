import { STREAMS } from '@tollgate/contracts';
import { routeAheadOfFramework, type ServiceDefinition } from '@tollgate/service-runtime';
import { StripeWebhookController } from './controllers/stripe-webhook.controller';
import { webhooksDatabase } from './database';
import { WebhooksConfig } from './webhooks.config';
import { WebhooksModule } from './webhooks.module';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** The webhooks service: Stripe ingest (POST /webhooks/stripe), the inbox relay, dead letters, catch-up. */
export const webhooksDefinition: ServiceDefinition<WebhooksConfig> = {
  name: 'webhooks',
  configSchema: WebhooksConfig,
  port: (config) => config.WEBHOOKS_PORT,
  database: webhooksDatabase,
  streams: [STREAMS.stripeEvents, STREAMS.deadLetters],
  module: (platform, config) => WebhooksModule.forRoot(platform, config),
  // The webhook route reads its own raw, size-limited body and is answered ahead of Express and Nest (see the
  // controller's header); it carries a correlation id like every other route.
  beforeBodyParsers: (app) =>
    routeAheadOfFramework(app, 'POST', STRIPE_WEBHOOK_PATH, app.get(StripeWebhookController).handle),
};
