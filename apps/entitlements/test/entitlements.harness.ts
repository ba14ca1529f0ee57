/** Test harness: entitlements replicas in-process on a fresh database and NATS namespace. */
import type { INestApplication } from '@nestjs/common';
import {
  BillingEvent,
  isErrorEnvelope,
  type EntitlementDecision,
  type ErrorEnvelope,
  type SubscriptionChangedEvent,
} from '@tollgate/contracts';
import { decodeJson, encodeJson, type NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import {
  connectTestBus,
  createTestDatabase,
  deleteNamespaceStreams,
  testNamespace,
  TEST_NATS_URL,
  type TestDatabase,
} from '@tollgate/testing';
import { entitlementsDefinition } from '../src/entitlements.definition';
import { EntitlementsService } from '../src/services/entitlements.service';

export interface Harness {
  namespace: string;
  db: TestDatabase;
  bus: NatsBus;
  replicas: INestApplication[];
  service(i: number): EntitlementsService;
  /** Raw NATS request with a plain JSON payload, as any client in any language would send it. */
  raw(subject: string, payload: unknown): Promise<EntitlementDecision | ErrorEnvelope>;
  check(tenantId: string, feature: string, quantity?: number): Promise<EntitlementDecision>;
  subscriptionChanged(
    event: Partial<SubscriptionChangedEvent> & { tenantId: string; version: number },
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(replicas = 2, env: Record<string, string> = {}): Promise<Harness> {
  const namespace = testNamespace();
  const db = await createTestDatabase();
  const apps: INestApplication[] = [];
  for (let i = 0; i < replicas; i++)
    apps.push(
      await runService(entitlementsDefinition, {
        port: 0,
        env: {
          DATABASE_URL: db.url,
          NATS_URL: TEST_NATS_URL,
          NATS_NAMESPACE: namespace,
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
          DATABASE_POOL_SIZE: '20',
          SHUTDOWN_GRACE_MS: '500',
          ...env,
        },
      }),
    );
  const bus = await connectTestBus(namespace);
  const raw = async (subject: string, payload: unknown) => {
    const reply = await bus.nc.request(bus.subject(subject), encodeJson(payload), { timeout: 5000 });
    return decodeJson(reply.data) as EntitlementDecision | ErrorEnvelope;
  };
  return {
    namespace,
    db,
    bus,
    replicas: apps,
    service: (i) => apps[i].get(EntitlementsService),
    raw,
    check: async (tenantId, feature, quantity) => {
      const reply = await raw('entitlements.check.v1', {
        tenantId,
        feature,
        ...(quantity ? { quantity } : {}),
      });
      if (isErrorEnvelope(reply)) throw new Error(`check failed: ${JSON.stringify(reply)}`);
      return reply;
    },
    subscriptionChanged: async (event) => {
      const payload: SubscriptionChangedEvent = {
        plan: 'pro',
        interval: 'month',
        state: 'active',
        previousState: 'none',
        seats: 5,
        periodStart: new Date(Date.now() - 86_400_000).toISOString(),
        periodEnd: new Date(Date.now() + 29 * 86_400_000).toISOString(),
        graceUntil: null,
        cause: 'test',
        at: new Date().toISOString(),
        ...event,
      };
      await bus.publish(BillingEvent.SubscriptionChanged, payload, {
        msgId: `sub:${event.tenantId}:${event.version}`,
      });
    },
    close: async () => {
      for (const app of apps) await app.close();
      await deleteNamespaceStreams(bus);
      await bus.close(1000);
      await db.drop();
    },
  };
}
