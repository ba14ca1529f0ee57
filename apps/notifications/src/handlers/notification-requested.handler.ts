import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { BillingEvent, Header, NotificationRequestedEvent, STREAMS } from '@tollgate/contracts';
import { consumeDurable, validateMessage, NatsBus, type ConsumedMessage } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import { CONFIG, LOGGER } from '@tollgate/service-runtime';
import { retryBackoffMs, type NotificationsConfig } from '../notifications.config';
import { DeliveryService } from '../services/delivery.service';

/** The durable consumer name; dead letters go to `deadletter.v1.notifications`. */
export const NOTIFICATIONS_CONSUMER = 'notifications';

/**
 * Consumes `billing.notification.requested.v1` from BILLING_EVENTS (one filter subject per consumer) and
 * hands each validated event to the delivery service; the ack policy is the messaging library's, the
 * exactly-once policy the delivery service's.
 */
@Injectable()
export class NotificationRequestedHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly deliveries: DeliveryService,
    private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: NotificationsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await consumeDurable(this.bus, {
      stream: STREAMS.billingEvents,
      durable: NOTIFICATIONS_CONSUMER,
      filterSubject: BillingEvent.NotificationRequested,
      maxDeliver: this.config.NOTIFICATIONS_MAX_DELIVER,
      backoffMs: retryBackoffMs(this.config),
      concurrency: this.config.NOTIFICATIONS_CONCURRENCY,
      // One attempt holds its message for at most the SMTP timeouts (connect, greeting, idle) plus the database.
      ackWaitMs: this.config.SMTP_TIMEOUT_MS * 3 + 10_000,
      metrics: this.metrics,
      handler: (message) => this.handle(message),
    });
  }

  async handle(message: ConsumedMessage): Promise<void> {
    const event = await validateMessage(NotificationRequestedEvent, message.json());
    const outcome = await this.deliveries.deliver(event, {
      final: message.deliveryCount >= this.config.NOTIFICATIONS_MAX_DELIVER,
      correlationId: message.headers[Header.CorrelationId],
    });
    // The recipient address is personal data: logged by tenant, kind and cause only.
    this.logger.info(
      {
        tenantId: event.tenantId,
        kind: event.kind,
        cause: event.cause,
        outcome,
        delivery: message.deliveryCount,
      },
      outcome === 'sent' ? 'notification sent' : 'notification already sent; redelivery acked',
    );
  }
}
