import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { loadCatalog } from '@tollgate/catalog';
import { NatsBus, type ConsumerHandle } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import { CONFIG, LOGGER } from '@tollgate/service-runtime';
import { createStripeClient } from '@tollgate/stripe-client';
import { StripeGateway } from './adapters/stripe.gateway';
import type { BillingConfig } from './billing.config';
import { serveBillingRequests } from './handlers/billing-requests.handler';
import { consumeStripeEvents } from './handlers/stripe-events.handler';
import { BillingStateService } from './services/billing-state.service';
import { CatalogPrices, CatalogSyncService } from './services/catalog-sync.service';
import { CheckoutService } from './services/checkout.service';
import { BillingScheduler } from './services/billing-scheduler.service';
import { billingRetention } from './services/billing-retention';
import { DEFAULT_LADDER, validateLadder, type DunningLadder } from './services/dunning-ladder.policy';
import { OutboxRelay } from './services/outbox-relay.service';
import { StripeEventProjector } from './services/stripe-event.projector';
import { SubscriptionCommandsService } from './services/subscription-commands.service';
import { TenantService } from './services/tenant.service';
import { reconciliationProviders } from './reconciliation/reconciliation.providers';

export function ladderOf(config: BillingConfig): DunningLadder {
  const ladder = {
    reminderDays: config.BILLING_DUNNING_REMINDER_DAYS ?? DEFAULT_LADDER.reminderDays,
    urgentDays: config.BILLING_DUNNING_URGENT_DAYS ?? DEFAULT_LADDER.urgentDays,
    graceDays: config.BILLING_GRACE_DAYS ?? DEFAULT_LADDER.graceDays,
    retryWaitMinutes: config.BILLING_DUNNING_RETRY_WAIT_MINUTES ?? DEFAULT_LADDER.retryWaitMinutes,
  };
  const errors = validateLadder(ladder);
  if (errors.length > 0)
    throw new Error(
      `BILLING_DUNNING_REMINDER_DAYS, BILLING_DUNNING_URGENT_DAYS, BILLING_GRACE_DAYS, BILLING_DUNNING_RETRY_WAIT_MINUTES: ${errors.join('; ')}`,
    );
  return ladder;
}

/** The retention passes over billing's pipeline bookkeeping (billing-retention.ts); Nest starts and stops them. */
export const BILLING_RETENTION = Symbol('BILLING_RETENTION');

/**
 * Boot order: catalog sync (Stripe prices known before anyone can check out) → request handlers → Stripe
 * event consumer → outbox relay → scheduler. Shutdown: the scheduler and the relay stop first; the platform
 * then drains NATS (consumers finish their in-flight events) before the database pool closes.
 */
@Injectable()
export class BillingLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer: ConsumerHandle | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: BillingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly bus: NatsBus,
    private readonly metrics: Metrics,
    private readonly catalogSync: CatalogSyncService,
    private readonly relay: OutboxRelay,
    private readonly tenants: TenantService,
    private readonly checkout: CheckoutService,
    private readonly state: BillingStateService,
    private readonly projector: StripeEventProjector,
    private readonly commands: SubscriptionCommandsService,
    private readonly scheduler: BillingScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.catalogSync.run(this.config.BILLING_SYNC_CATALOG === 'true');
    serveBillingRequests(this.bus, {
      tenants: this.tenants,
      checkout: this.checkout,
      state: this.state,
      commands: this.commands,
      relay: this.relay,
    });
    this.consumer = await consumeStripeEvents(this.bus, this.projector, {
      concurrency: this.config.BILLING_CONSUMER_CONCURRENCY,
      maxDeliver: this.config.BILLING_MAX_DELIVER,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.relay.start();
    this.scheduler.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
    await this.relay.stop();
    await this.consumer?.stop();
  }
}

@Module({})
export class BillingModule {
  static forRoot(platform: DynamicModule, config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: [platform],
      providers: [
        {
          provide: StripeGateway,
          useFactory: () =>
            new StripeGateway(
              createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
            ),
        },
        { provide: CatalogPrices, useFactory: () => new CatalogPrices(loadCatalog(config.CATALOG_PATH)) },
        {
          provide: CatalogSyncService,
          inject: [DataSource, StripeGateway, CatalogPrices, LOGGER],
          useFactory: (ds: DataSource, stripe: StripeGateway, prices: CatalogPrices, logger: Logger) =>
            new CatalogSyncService(ds, stripe, prices, logger),
        },
        {
          provide: OutboxRelay,
          inject: [DataSource, NatsBus, LOGGER],
          useFactory: (ds: DataSource, bus: NatsBus, logger: Logger) =>
            new OutboxRelay(ds, bus, logger, config.BILLING_OUTBOX_POLL_MS),
        },
        {
          provide: TenantService,
          inject: [DataSource, StripeGateway, OutboxRelay],
          useFactory: (ds: DataSource, stripe: StripeGateway, relay: OutboxRelay) =>
            new TenantService(ds, stripe, {
              stripeSecretKey: config.STRIPE_SECRET_KEY,
              onCommit: relay.kick,
            }),
        },
        {
          provide: CheckoutService,
          inject: [DataSource, StripeGateway, CatalogPrices],
          useFactory: (ds: DataSource, stripe: StripeGateway, prices: CatalogPrices) =>
            new CheckoutService(ds, stripe, prices, config.PUBLIC_BASE_URL.replace(/\/+$/, '')),
        },
        {
          provide: BillingStateService,
          inject: [DataSource, CatalogPrices],
          useFactory: (ds: DataSource, prices: CatalogPrices) => new BillingStateService(ds, prices.catalog),
        },
        {
          provide: StripeEventProjector,
          inject: [DataSource, StripeGateway, CatalogPrices, LOGGER, OutboxRelay],
          useFactory: (
            ds: DataSource,
            stripe: StripeGateway,
            prices: CatalogPrices,
            logger: Logger,
            relay: OutboxRelay,
          ) => new StripeEventProjector(ds, stripe, prices, logger, relay.kick, ladderOf(config)),
        },
        {
          provide: SubscriptionCommandsService,
          inject: [
            DataSource,
            StripeGateway,
            CatalogPrices,
            StripeEventProjector,
            BillingStateService,
            OutboxRelay,
          ],
          useFactory: (
            ds: DataSource,
            stripe: StripeGateway,
            prices: CatalogPrices,
            projector: StripeEventProjector,
            state: BillingStateService,
            relay: OutboxRelay,
          ) => new SubscriptionCommandsService(ds, stripe, prices, projector, state, relay.kick),
        },
        {
          provide: BillingScheduler,
          inject: [DataSource, StripeGateway, StripeEventProjector, LOGGER],
          useFactory: (
            ds: DataSource,
            stripe: StripeGateway,
            projector: StripeEventProjector,
            logger: Logger,
          ) => new BillingScheduler(ds, stripe, projector, logger, config.BILLING_SCHEDULER_POLL_MS),
        },
        {
          provide: BILLING_RETENTION,
          inject: [DataSource, Metrics, LOGGER],
          useFactory: (ds: DataSource, metrics: Metrics, logger: Logger) =>
            billingRetention(ds, config, metrics, logger),
        },
        BillingLifecycle,
        ...reconciliationProviders(config),
      ],
    };
  }
}
