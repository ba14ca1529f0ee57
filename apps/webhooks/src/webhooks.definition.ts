import type { Express } from 'express';
import type { Logger } from 'pino';
import { STREAMS } from '@tollgate/contracts';
import { LOGGER, correlationMiddleware, type ServiceDefinition } from '@tollgate/service-runtime';
import { stripeWebhookBody } from './controllers/stripe-webhook-body.middleware';
import { StripeWebhookController } from './controllers/stripe-webhook.controller';
import { webhooksDatabase } from './database';
import { WebhookMetrics } from './services/webhook-metrics';
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
  // The webhook route reads its own raw, size-limited body and is answered here, ahead of the body parsers and
  // Nest's router (see the controller's header); it carries a correlation id like every other route.
  beforeBodyParsers: (app, config) => {
    const metrics = app.get(WebhookMetrics);
    const logger = app.get<symbol, Logger>(LOGGER);
    const express: Express = app.getHttpAdapter().getInstance();
    express.post(
      STRIPE_WEBHOOK_PATH,
      stripeWebhookBody(config.WEBHOOK_MAX_BODY_BYTES, {
        received: () => metrics.received.inc(),
        tooLarge: (req, declaredBytes) => {
          metrics.reject('payload_too_large');
          logger.warn(
            { security: 'webhook_rejected', reason: 'payload_too_large', ip: req.ip, declaredBytes },
            'refused a Stripe webhook delivery',
          );
        },
      }),
      correlationMiddleware,
      app.get(StripeWebhookController).handle,
    );
  },
};
