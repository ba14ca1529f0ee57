import { DomainError, ErrorCode, STREAMS, TenantRequest, BillingEvent } from '@tollgate/contracts';
import { consumeDurable, type ConsumedMessage, type NatsBus } from '@tollgate/messaging';
import { connectTestBus, deleteNamespaceStreams, eventually, testNamespace } from '@tollgate/testing';

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
