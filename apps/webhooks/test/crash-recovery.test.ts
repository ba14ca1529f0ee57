import { STREAMS, stripeEventSubject } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import {
  connectTestBus,
  createTestDatabase,
  deleteNamespaceStreams,
  eventually,
  testNamespace,
  type TestDatabase,
  reservePort,
} from '@tollgate/testing';
import { Client } from 'pg';
import { harnessEnv, signature, stripeEvent } from './webhooks-harness';
import { spawnWebhooks, type ServiceProcess } from './webhooks-process';

const freePort = reservePort;

describe('crash recovery (the service as a process)', () => {
  let db: TestDatabase;
  let bus: NatsBus;
  let sql: Client;
  let env: NodeJS.ProcessEnv;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const namespace = testNamespace();
    bus = await connectTestBus(namespace);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    env = harnessEnv(db, namespace);
  });
  afterAll(async () => {
    for (const p of processes) await p.kill('SIGKILL');
    await sql.end();
    await deleteNamespaceStreams(bus);
    await bus.close(500);
    await db.drop();
  });

  // Two process boots, each transpiling the service on load, under a loaded test run: a longer deadline.
  it('republishes, after SIGKILL and restart, an event that was recorded but never published', async () => {
    const first = await spawnWebhooks(env, await freePort());
    processes.push(first);
    const streamName = bus.streamName(STREAMS.stripeEvents);
    // JetStream refuses while the stream is gone: the event is recorded and acknowledged, not published.
    await bus.jsm.streams.delete(streamName);
    const event = stripeEvent({ type: 'checkout.session.completed' });
    const body = JSON.stringify(event);
    const response = await fetch(`${first.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature(body) },
      body,
    });
    expect(response.status).toBe(200);
    const status = async () =>
      (
        await sql.query<{ status: string }>('SELECT status FROM webhooks.stripe_events WHERE id = $1', [
          event.id,
        ])
      ).rows[0]?.status;
    expect(await status()).toBe('received');

    await first.kill('SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');

    // The restarted process recreates the stream at boot and its relay publishes the recorded event.
    const second = await spawnWebhooks(env, await freePort());
    processes.push(second);
    await eventually(async () => (await status()) === 'published', { what: 'the relay to publish it' });
    const stored = await bus.jsm.streams.getMessage(streamName, {
      last_by_subj: bus.subject(stripeEventSubject('checkout.session.completed')),
    });
    expect(stored.header.get('Nats-Msg-Id')).toBe(event.id);
    expect(stored.json()).toEqual(event);
    expect((await bus.jsm.streams.info(streamName)).state.messages).toBe(1);
    await second.kill('SIGTERM');
  }, 60_000);
});
