import { Inject, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { EntitlementsSubject, type InvalidatedMessage } from '@tollgate/contracts';
import { Events } from 'nats';
import { NatsBus } from '@tollgate/messaging';
import { BillingEventsConsumer } from './handlers/billing-events.consumer';
import { CheckResponder } from './handlers/check.responder';
import { RequestsHandler } from './handlers/requests.handler';
import { OverrideRepository } from './repositories/override.repository';
import { TenantEntitlementsRepository } from './repositories/tenant-entitlements.repository';
import { UsageRepository } from './repositories/usage.repository';
import { BROADCASTER, CLOCK, EntitlementsService } from './services/entitlements.service';

/** Starts serving once the bus is up: invalidations first, so no change slips between load and listen. */
class EntitlementsBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(EntitlementsService) private readonly service: EntitlementsService,
    @Inject(CheckResponder) private readonly check: CheckResponder,
    @Inject(RequestsHandler) private readonly requests: RequestsHandler,
    @Inject(BillingEventsConsumer) private readonly events: BillingEventsConsumer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.bus.listen(EntitlementsSubject.Invalidated, (payload) => {
      const message = payload as Partial<InvalidatedMessage>;
      if (typeof message?.tenantId === 'string' && typeof message.version === 'number')
        this.service.onInvalidated(message as InvalidatedMessage);
    });
    void this.watchReconnects();
    this.check.start();
    this.requests.start();
    await this.events.start();
    await this.bus.nc.flush();
  }

  /** Broadcasts sent while we were disconnected are lost: forget every cached snapshot on reconnect. */
  private async watchReconnects(): Promise<void> {
    for await (const status of this.bus.nc.status())
      if (status.type === Events.Reconnect) this.service.cache.clear();
  }
}

@Module({})
export class EntitlementsModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: EntitlementsModule,
      imports: [platform],
      providers: [
        { provide: CLOCK, useValue: () => new Date() },
        { provide: BROADCASTER, useExisting: NatsBus },
        TenantEntitlementsRepository,
        OverrideRepository,
        UsageRepository,
        EntitlementsService,
        CheckResponder,
        RequestsHandler,
        BillingEventsConsumer,
        EntitlementsBootstrap,
      ],
    };
  }
}
