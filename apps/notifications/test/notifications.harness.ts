/** Test harness: the notifications service in-process on a fresh database, NATS namespace and SMTP catcher port. */
import type { INestApplication } from '@nestjs/common';
import { BillingEvent, STREAMS, type NotificationRequestedEvent } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import {
  connectTestBus,
  deleteNamespaceStreams,
  eventually,
  testNamespace,
  TEST_NATS_URL,
  type TestDatabase,
} from '@tollgate/testing';
import { NOTIFICATIONS_CONSUMER } from '../src/handlers/notification-requested.handler';
import { notificationsDefinition } from '../src/notifications.definition';
import { DeliveryRepository } from '../src/repositories/delivery.repository';
import type { DeliveryEntity } from '../src/entities/delivery.entity';

export interface NotificationsHarness {
  app: INestApplication;
  bus: NatsBus;
  publish(event: NotificationRequestedEvent, msgId?: string): Promise<void>;
  /** Resolves once the consumer has acknowledged (or dead-lettered) everything published so far. */
  drained(): Promise<void>;
  delivery(
    event: Pick<NotificationRequestedEvent, 'tenantId' | 'kind' | 'cause'>,
  ): Promise<DeliveryEntity | null>;
  close(): Promise<void>;
}

let published = 0;

export async function startNotifications(
  db: TestDatabase,
  env: Record<string, string>,
): Promise<NotificationsHarness> {
  const namespace = testNamespace();
  const bus = await connectTestBus(namespace);
  const app = await runService(notificationsDefinition, {
    port: 0,
    env: {
      DATABASE_URL: db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: namespace,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_GRACE_MS: '2000',
      SMTP_TIMEOUT_MS: '2000',
      NOTIFICATIONS_RETRY_BACKOFF_MS: '50,100,200',
      ...env,
    },
  });
  const repository = app.get(DeliveryRepository);
  let lastSeq = 0;
  return {
    app,
    bus,
    publish: async (event, msgId) => {
      const ack = await bus.publish(BillingEvent.NotificationRequested, event, {
        msgId: msgId ?? `m${++published}`,
      });
      lastSeq = Math.max(lastSeq, ack.seq);
    },
    drained: async () => {
      await eventually(
        async () => {
          const info = await bus.jsm.consumers.info(
            bus.streamName(STREAMS.billingEvents),
            NOTIFICATIONS_CONSUMER,
          );
          return info.num_pending === 0 && info.num_ack_pending === 0 && info.ack_floor.stream_seq >= lastSeq;
        },
        { what: 'the notifications consumer to acknowledge everything', timeoutMs: 20_000 },
      );
    },
    delivery: (event) => repository.find({ tenantId: event.tenantId, kind: event.kind, cause: event.cause }),
    close: async () => {
      await app.close();
      await deleteNamespaceStreams(bus);
      await bus.close(1000);
    },
  };
}
