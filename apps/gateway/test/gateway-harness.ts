/**
 * The gateway in-process on a fresh database and NATS namespace, with whatever fake services a test
 * registers on the same namespace (the gateway only ever talks to them over NATS).
 */
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { BillingState } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import {
  TEST_JWT_SECRET,
  connectTestBus,
  createTestDatabase,
  testNamespace,
  type TestDatabase,
} from '@tollgate/testing';
import { gatewayDefinition } from '../src/gateway.definition';

export interface GatewayHarness {
  app: INestApplication;
  http: ReturnType<typeof request>;
  url: string;
  bus: NatsBus;
  db: TestDatabase;
  namespace: string;
  close(): Promise<void>;
}

export async function startGatewayHarness(
  options: {
    env?: Record<string, string>;
    fakes?: (bus: NatsBus) => void | Promise<void>;
    /** Another replica: this gateway uses that one's database, NATS namespace and fakes, and leaves them open. */
    replicaOf?: GatewayHarness;
  } = {},
): Promise<GatewayHarness> {
  const primary = options.replicaOf;
  const namespace = primary?.namespace ?? testNamespace();
  const db = primary?.db ?? (await createTestDatabase());
  const bus = primary?.bus ?? (await connectTestBus(namespace, 'fakes'));
  if (!primary) await options.fakes?.(bus);
  const app = await runService(gatewayDefinition, {
    port: 0,
    env: {
      DATABASE_URL: db.url,
      NATS_NAMESPACE: namespace,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      ...options.env,
    },
  });
  const port = (app.getHttpServer() as { address(): AddressInfo }).address().port;
  return {
    app,
    http: request(app.getHttpServer()),
    url: `http://127.0.0.1:${port}`,
    bus,
    db,
    namespace,
    close: async () => {
      await app.close();
      if (primary) return;
      await bus.close(500);
      await db.drop();
    },
  };
}

/** A plausible full billing state for a tenant, with overrides. */
export function billingStateOf(tenantId: string, overrides: Partial<BillingState> = {}): BillingState {
  return {
    tenantId,
    plan: 'pro',
    interval: 'month',
    status: 'active',
    renewsAt: '2026-12-21T00:00:00.000Z',
    cancelAt: null,
    trialEndsAt: null,
    seats: { used: 2, included: 5, purchased: 0 },
    paymentMethod: { brand: 'visa', last4: '4242' },
    dunning: { stage: 'none', since: null, nextRetryAt: null },
    pendingChange: null,
    creditBalance: 0,
    currency: 'usd',
    syncedAt: '2026-11-21T00:00:00.000Z',
    ...overrides,
  };
}
