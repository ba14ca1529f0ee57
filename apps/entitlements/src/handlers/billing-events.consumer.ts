/**
 * Consumes BILLING_EVENTS (durable `entitlements`, no filter: nats-server 2.9 allows one filter subject per
 * consumer, and we need two). Subscription changes and new tenants recompute and persist the tenant's snapshot,
 * then broadcast the invalidation; other billing events are acknowledged and ignored. The ack policy is the
 * shared one (consumeDurable): ack after the commit, redeliver on failure, dead-letter a poison message.
 */
import { Injectable } from '@nestjs/common';
import {
  BillingEvent,
  STREAMS,
  type SubscriptionChangedEvent,
  type TenantCreatedEvent,
} from '@tollgate/contracts';
import { consumeDurable, NatsBus, type ConsumedMessage } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import { EntitlementsService } from '../services/entitlements.service';

export const ENTITLEMENTS_DURABLE = 'entitlements';

@Injectable()
export class BillingEventsConsumer {
  constructor(
    private readonly bus: NatsBus,
    private readonly service: EntitlementsService,
    private readonly metrics: Metrics,
  ) {}

  async start(): Promise<void> {
    await consumeDurable(this.bus, {
      stream: STREAMS.billingEvents,
      durable: ENTITLEMENTS_DURABLE,
      metrics: this.metrics,
      backoffMs: [250, 1000, 5000, 15_000],
      handler: (message) => this.handle(message),
    });
  }

  async handle(message: ConsumedMessage): Promise<void> {
    switch (message.subject) {
      case BillingEvent.SubscriptionChanged:
        await this.service.applySubscriptionChanged(message.json<SubscriptionChangedEvent>());
        return;
      case BillingEvent.TenantCreated: {
        const event = message.json<TenantCreatedEvent>();
        if (typeof event?.tenant?.id !== 'string' || event.tenant.id.length === 0)
          throw new Error('malformed tenant.created event: tenant.id');
        await this.service.applyTenantCreated(event.tenant.id);
        return;
      }
      default:
        return;
    }
  }
}
