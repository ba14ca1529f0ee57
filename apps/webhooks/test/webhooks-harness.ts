/** Test harness: the webhooks service in-process on a fresh database and NATS namespace, and signed events. */
import { createHmac, randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { STREAMS, stripeEventSubject } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import {
  TEST_NATS_URL,
  connectTestBus,
  createTestDatabase,
  deleteNamespaceStreams,
  testNamespace,
  type TestDatabase,
  metricSample,
} from '@tollgate/testing';
import { webhooksDefinition } from '../src/webhooks.definition';

export const SECRET = 'whsec_test_current_0123456789';
export const OLD_SECRET = 'whsec_test_previous_0123456789';

export function stripeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'invoice.paid',
    data: {
      object: { id: 'in_123', object: 'invoice', customer: 'cus_123', amount_paid: 2900, currency: 'eur' },
    },
    ...overrides,
  };
}

export function signature(body: string | Buffer, secret = SECRET, t = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
  return `t=${t},v1=${v1}`;
}

export interface Harness {
  app: INestApplication;
  url: string;
  env: NodeJS.ProcessEnv;
  db: TestDatabase;
  sql: Client;
  bus: NatsBus;
  post(body: string | Buffer, headers?: Record<string, string>): Promise<Response>;
  /** Messages in the STRIPE_EVENTS stream of this namespace. */
  streamMessages(): Promise<number>;
  /** The Nats-Msg-Id of the last message on an event type's subject. */
  lastMsgId(type: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export function harnessEnv(
  db: TestDatabase,
  namespace: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: db.url,
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: namespace,
    STRIPE_WEBHOOK_SECRETS: SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WEBHOOK_RELAY_INTERVAL_MS: '50',
    WEBHOOK_RELAY_GRACE_MS: '0',
    WEBHOOK_RELAY_MAX_BACKOFF_MS: '200',
    SHUTDOWN_GRACE_MS: '1000',
    ...extra,
  };
}

export async function startHarness(extra: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const namespace = testNamespace();
  const env = harnessEnv(db, namespace, extra);
  const app = await runService(webhooksDefinition, { env, port: 0 });
  const port = (app.getHttpServer() as { address(): { port: number } }).address().port;
  const url = `http://127.0.0.1:${port}`;
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const bus = await connectTestBus(namespace);
  const streamName = bus.streamName(STREAMS.stripeEvents);
  return {
    app,
    url,
    env,
    db,
    sql,
    bus,
    post: (body, headers = {}) =>
      fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body,
      }),
    streamMessages: async () => (await bus.jsm.streams.info(streamName)).state.messages,
    lastMsgId: async (type) => {
      try {
        const msg = await bus.jsm.streams.getMessage(streamName, {
          last_by_subj: bus.subject(stripeEventSubject(type)),
        });
        return msg.header.get('Nats-Msg-Id');
      } catch {
        return undefined;
      }
    },
    close: async () => {
      await app.close();
      await sql.end();
      await deleteNamespaceStreams(bus);
      await bus.close(500);
      await db.drop();
    },
  };
}

/** Posts an event signed with `secret`; answers the response and the exact body sent. */
export async function postSigned(
  h: Harness,
  event: Record<string, unknown>,
  secret = SECRET,
): Promise<{ response: Response; body: string }> {
  const body = JSON.stringify(event);
  const response = await h.post(body, { 'stripe-signature': signature(body, secret) });
  return { response, body };
}

export async function inboxRows(
  h: Harness,
  id?: string,
): Promise<{ id: string; status: string; source: string }[]> {
  const result = id
    ? await h.sql.query('SELECT id, status, source FROM webhooks.stripe_events WHERE id = $1', [id])
    : await h.sql.query('SELECT id, status, source FROM webhooks.stripe_events');
  return result.rows as { id: string; status: string; source: string }[];
}

/** The value of a counter sample in the service's /metrics, 0 when absent. */
export async function metricValue(
  h: Harness,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return (await metricSample(h.url, name, labels)) ?? 0;
}
