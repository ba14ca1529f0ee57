import { Module, type DynamicModule } from '@nestjs/common';
import { createStripeClient } from '@tollgate/stripe-client';
import { StripeEventsAdapter } from './adapters/stripe-events.adapter';
import { StripeWebhookController } from './controllers/stripe-webhook.controller';
import { DeadLetterConsumer } from './handlers/dead-letter.consumer';
import { OperatorRequestsHandler } from './handlers/operator-requests.handler';
import { DeadLetterRepository } from './repositories/dead-letter.repository';
import { InboxPools } from './repositories/inbox-pools';
import { StripeEventRepository } from './repositories/stripe-event.repository';
import { CatchUpService } from './services/catch-up.service';
import { DeadLetterService } from './services/dead-letter.service';
import { EventAllowlist } from './services/event-allowlist';
import { InboxRelayService } from './services/inbox-relay.service';
import { InboxRetentionService } from './services/inbox-retention.service';
import { StripeEventIngestService } from './services/stripe-event-ingest.service';
import { StripeSignatureVerifier } from './services/stripe-signature.verifier';
import { WebhookMetrics } from './services/webhook-metrics';
import { WebhooksConfig } from './webhooks.config';

@Module({})
export class WebhooksModule {
  static forRoot(platform: DynamicModule, config: WebhooksConfig): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [platform],
      providers: [
        StripeWebhookController,
        { provide: WebhooksConfig, useValue: config },
        {
          provide: StripeSignatureVerifier,
          useValue: new StripeSignatureVerifier(
            config.webhookSecrets,
            config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
          ),
        },
        { provide: EventAllowlist, useValue: new EventAllowlist(config.eventAllowlist) },
        {
          provide: StripeEventsAdapter,
          useValue: new StripeEventsAdapter(
            config.STRIPE_SECRET_KEY
              ? createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE })
              : null,
          ),
        },
        WebhookMetrics,
        InboxPools,
        StripeEventRepository,
        DeadLetterRepository,
        StripeEventIngestService,
        InboxRelayService,
        InboxRetentionService,
        DeadLetterService,
        CatchUpService,
        DeadLetterConsumer,
        OperatorRequestsHandler,
      ],
    };
  }
}
