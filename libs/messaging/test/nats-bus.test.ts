import { DomainError, ErrorCode, STREAMS, TenantRequest, BillingEvent } from '@tollgate/contracts';
import pino from 'pino';
import { consumeDurable, NatsBus, type ConsumedMessage } from '@tollgate/messaging';
import {
  TEST_NATS_URL,
  connectTestBus,
  deleteNamespaceStreams,
  eventually,
  testNamespace,
} from '@tollgate/testing';

describe('NatsBus', () => {
  let bus: NatsBus;

  beforeAll(async () => {
    bus = await connectTestBus(testNamespace());
    await bus.ensureStreams(Object.values(STREAMS));
  });
  afterAll(async () => {
    await deleteNamespaceStreams(bus);
    await bus.close(1000);
  });

  it('answers a validated request with the plain reply', async () => {
    bus.serve(
      'entitlements.snapshot.get.v1',
      TenantRequest,
      async (req) => ({ tenantId: req.tenantId }) as never,
      {
        queue: 'q',
      },
    );
    await expect(bus.request('entitlements.snapshot.get.v1', { tenantId: 'acme' })).resolves.toEqual({
      tenantId: 'acme',
    });
  });

  it('turns an invalid request into a validation_failed error reply naming the field', async () => {
    bus.serve('entitlements.usage.get.v1', TenantRequest, async () => ({}) as never, { queue: 'q' });
    const error = await bus
      .requestRaw('entitlements.usage.get.v1', { tenantId: 'acme', extra: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.ValidationFailed);
    expect((error as DomainError).details).toEqual({ fields: { extra: expect.any(Array) } });
  });

  it('reports a subject nobody serves as upstream_unavailable', async () => {
    await expect(bus.request('billing.state.get.v1', { tenantId: 'x' })).rejects.toMatchObject({
      code: ErrorCode.UpstreamUnavailable,
    });
  });

  it('redelivers a failing message, then dead-letters it with the reason after maxDeliver', async () => {
    const seen: number[] = [];
    const dead: ConsumedMessage[] = [];
    await consumeDurable(bus, {
      stream: STREAMS.deadLetters,
      durable: 'dl-reader',
      handler: async (m) => void dead.push(m),
    });
    await consumeDurable(bus, {
      stream: STREAMS.billingEvents,
      durable: 'flaky',
      maxDeliver: 3,
      backoffMs: [10],
      handler: async (m) => {
        seen.push(m.deliveryCount);
        throw new Error('boom');
      },
    });
    await bus.publishRaw(BillingEvent.TenantCreated, new TextEncoder().encode('{"x":1}'), { msgId: 'm1' });
    await eventually(() => dead.length === 1, { what: 'a dead letter' });
    expect(seen).toEqual([1, 2, 3]);
    expect(dead[0].subject).toBe('deadletter.v1.flaky');
    expect(dead[0].headers['tollgate-dead-letter-reason']).toContain('boom');
    expect(dead[0].headers['tollgate-original-subject']).toBe(BillingEvent.TenantCreated);
    expect(dead[0].json()).toEqual({ x: 1 });
  });
});

describe('stream replicas', () => {
  const logger = pino({ level: 'silent' });
  const connectWith = (streamReplicas: number) =>
    NatsBus.connect({
      url: TEST_NATS_URL,
      name: 'replicas-test',
      namespace: testNamespace(),
      logger,
      streamReplicas,
    });

  it('creates every stream with the configured number of copies', async () => {
    const bus = await connectWith(1);
    try {
      await bus.ensureStreams([STREAMS.stripeEvents]);
      const info = await bus.jsm.streams.info(bus.streamName(STREAMS.stripeEvents));
      expect(info.config.num_replicas).toBe(1);
    } finally {
      await deleteNamespaceStreams(bus);
      await bus.close(1000);
    }
  });

  it('refuses to start on copies a single server cannot keep, rather than keep fewer', async () => {
    const bus = await connectWith(3);
    try {
      await expect(bus.ensureStreams([STREAMS.stripeEvents])).rejects.toThrow(/replicas/i);
    } finally {
      await deleteNamespaceStreams(bus);
      await bus.close(1000);
    }
  });
});

describe('consumeDurable across a broker that loses its consumer', () => {
  let bus: NatsBus;

  beforeAll(async () => {
    bus = await connectTestBus(testNamespace());
    await bus.ensureStreams(Object.values(STREAMS));
  });
  afterAll(async () => {
    await deleteNamespaceStreams(bus);
    await bus.close(1000);
  });

  it('declares its durable consumer again and keeps consuming when it is deleted from under it', async () => {
    const seen: unknown[] = [];
    await consumeDurable(bus, {
      stream: STREAMS.billingEvents,
      durable: 'resilient',
      handler: async (m) => void seen.push(m.json()),
    });
    await bus.publishRaw(BillingEvent.TenantCreated, new TextEncoder().encode('{"n":1}'), { msgId: 'r1' });
    await eventually(() => seen.length === 1, { what: 'the first message' });
    await bus.jsm.consumers.delete(bus.streamName(STREAMS.billingEvents), 'resilient');
    await bus.publishRaw(BillingEvent.TenantCreated, new TextEncoder().encode('{"n":2}'), { msgId: 'r2' });
    // Declared again with DeliverPolicy.All, the consumer reads the stream from the start: n=1 again (handlers
    // are idempotent by contract), then n=2.
    await eventually(() => seen.some((m) => (m as { n: number }).n === 2), {
      timeoutMs: 30_000,
      what: 'n=2',
    });
  }, 60_000); // above the wait's own 30 s, which jest's default of 5 s would cut short
});

describe('consumeDurable with a handler that never settles', () => {
  let bus: NatsBus;
  const lines: { level: number; msg: string; subject?: string; seq?: number }[] = [];

  beforeAll(async () => {
    bus = await NatsBus.connect({
      url: TEST_NATS_URL,
      name: 'stuck-handler-test',
      namespace: testNamespace(),
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    await bus.ensureStreams(Object.values(STREAMS));
  });
  afterAll(async () => {
    await deleteNamespaceStreams(bus);
    await bus.close(1000);
  });

  it('reports the stuck message once the ack wait has passed, then goes on when it settles', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const seen: number[] = [];
    await consumeDurable(bus, {
      stream: STREAMS.billingEvents,
      durable: 'stuck',
      ackWaitMs: 1000,
      stallAfterMs: 3000,
      handler: async (m) => {
        const n = m.json<{ n: number }>().n;
        if (n === 1) await released;
        if (!seen.includes(n)) seen.push(n);
      },
    });
    await bus.publishRaw(BillingEvent.TenantCreated, new TextEncoder().encode('{"n":1}'), { msgId: 's1' });
    await bus.publishRaw(BillingEvent.TenantCreated, new TextEncoder().encode('{"n":2}'), { msgId: 's2' });
    const report = await eventually(
      () =>
        lines.find((l) => l.msg === 'handler still running after the ack wait; the consumer waits for it'),
      { timeoutMs: 20_000, what: 'the stuck handler to be reported' },
    );
    expect(report).toMatchObject({ level: 50, subject: BillingEvent.TenantCreated, seq: expect.any(Number) });
    expect(seen).toEqual([]);
    release();
    await eventually(() => seen.includes(1) && seen.includes(2), {
      timeoutMs: 20_000,
      what: 'both messages',
    });
  }, 60_000);
});
