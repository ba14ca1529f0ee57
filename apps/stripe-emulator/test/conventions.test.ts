import { randomUUID } from 'node:crypto';
import { eventually } from '@tollgate/testing';
import Stripe from 'stripe';
import { emulatorPost, seedCatalog, startHarness, WEBHOOK_SECRET, type Harness } from './emulator-harness';

interface Delivery {
  eventId: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  duplicate: boolean;
  injectedFailure: boolean;
  deliveredAt: string;
}

describe('stripe emulator: Stripe conventions, webhooks and faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await emulatorPost(h.emulator, '/_emulator/config', {
      duplicateRate: 0,
      failRate: 0,
      reorderWindowMs: 0,
      delayMs: 0,
    });
  });

  const deliveries = async (): Promise<Delivery[]> =>
    (await (await fetch(`${h.emulator.url}/_emulator/deliveries`)).json()) as Delivery[];

  it('replays the first response for a repeated Idempotency-Key and rejects it with other parameters', async () => {
    const key = randomUUID();
    const first = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    const again = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const conflict = await h.stripe.customers
      .create({ email: 'other@example.com' }, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((conflict as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((await h.stripe.customers.list({ email: 'idem@example.com' })).data).toHaveLength(1);
  });

  it('refuses a non-test key with 401 and a bad parameter with 400 naming it', async () => {
    const live = new Stripe('sk_live_nope', {
      host: '127.0.0.1',
      port: h.emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await expect(live.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const error = await h.stripe.prices
      .create({ currency: 'usd', unit_amount: -5, product: 'prod_x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, param: 'product' });
    const product = await h.stripe.products.create({ name: 'P' });
    const negative = await h.stripe.prices
      .create({ currency: 'usd', unit_amount: -5, product: product.id })
      .catch((e: unknown) => e);
    expect(negative).toMatchObject({ statusCode: 400, param: 'unit_amount' });
  });

  it('answers a declined manual payment with card_error and decline_code', async () => {
    const customer = await h.stripe.customers.create({ email: 'decline@example.com' });
    await h.stripe.invoiceItems.create({
      customer: customer.id,
      amount: 1500,
      currency: 'usd',
      description: 'Setup',
    });
    const invoice = await h.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect(invoice.total).toBe(1500);
    const error = await h.stripe.invoices
      .pay(invoice.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      statusCode: 402,
    });
    const paid = await h.stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe('paid');
    const pdf = await fetch(paid.invoice_pdf!);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('lists events newest first with created[gte] and cursor pagination', async () => {
    const since = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 3; i++) await h.stripe.customers.create({ email: `page${i}@example.com` });
    const page1 = await h.stripe.events.list({ type: 'customer.created', created: { gte: since }, limit: 2 });
    expect(page1.data).toHaveLength(2);
    expect(page1.has_more).toBe(true);
    const page2 = await h.stripe.events.list({
      type: 'customer.created',
      created: { gte: since },
      limit: 2,
      starting_after: page1.data[1].id,
    });
    expect((page2.data[0].data.object as Stripe.Customer).email).toBe('page0@example.com');
    const one = await h.stripe.events.retrieve(page1.data[0].id);
    expect(one.type).toBe('customer.created');
  });

  it('signs every delivery so constructEvent accepts it with the endpoint secret and no other', async () => {
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: h.receiver.url,
      enabled_events: ['product.created'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    await h.stripe.products.create({ name: 'Signed' });
    await eventually(
      () => h.receiver.received.some((r) => (r.event.data.object as Stripe.Product).name === 'Signed'),
      { what: 'signed delivery' },
    );
    const received = h.receiver.received.find(
      (r) => (r.event.data.object as Stripe.Product).name === 'Signed',
    )!;
    expect(() =>
      h.stripe.webhooks.constructEvent(received.raw, received.signature, WEBHOOK_SECRET),
    ).not.toThrow();
    expect(() =>
      h.stripe.webhooks.constructEvent(received.raw, received.signature, endpoint.secret!),
    ).toThrow();
    await h.stripe.webhookEndpoints.del(endpoint.id);
  });

  it('retries a delivery answered with a non-2xx status', async () => {
    h.receiver.script.push(500);
    const customer = await h.stripe.customers.create({ email: 'retry@example.com' });
    const event = await eventually(
      async () => (await h.stripe.events.list({ type: 'customer.created', limit: 1 })).data[0],
    );
    await eventually(() => h.receiver.received.some((r) => r.event.id === event.id), {
      what: 'retried delivery',
    });
    const log = (await deliveries()).filter((d) => d.eventId === event.id);
    expect(log.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect((event.data.object as Stripe.Customer).id).toBe(customer.id);
  });

  it('duplicates deliveries when duplicateRate is 1', async () => {
    await emulatorPost(h.emulator, '/_emulator/config', { duplicateRate: 1 });
    const product = await h.stripe.products.create({ name: 'Twice' });
    await eventually(
      () =>
        h.receiver.received.filter((r) => (r.event.data.object as Stripe.Product).id === product.id)
          .length === 2,
      { what: 'duplicate' },
    );
    const [a, b] = h.receiver.received.filter(
      (r) => (r.event.data.object as Stripe.Product).id === product.id,
    );
    expect(a.event.id).toBe(b.event.id);
  });

  it('injects failures with failRate, then delivers on a retry once the fault is off', async () => {
    await emulatorPost(h.emulator, '/_emulator/config', { failRate: 1 });
    const product = await h.stripe.products.create({ name: 'Flaky' });
    await eventually(async () => (await deliveries()).some((d) => d.injectedFailure), {
      what: 'injected failure',
    });
    await emulatorPost(h.emulator, '/_emulator/config', { failRate: 0 });
    await eventually(
      () => h.receiver.received.some((r) => (r.event.data.object as Stripe.Product).id === product.id),
      { what: 'eventual delivery' },
    );
  });

  it('delays deliveries by delayMs', async () => {
    const delayMs = 1000;
    await emulatorPost(h.emulator, '/_emulator/config', { delayMs });
    const started = Date.now();
    const product = await h.stripe.products.create({ name: 'Slow' });
    // The API answers without waiting for the delivery.
    expect(h.receiver.received.some((r) => (r.event.data.object as Stripe.Product).id === product.id)).toBe(
      false,
    );
    await eventually(
      () => h.receiver.received.some((r) => (r.event.data.object as Stripe.Product).id === product.id),
      { what: 'delayed delivery' },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(delayMs);
  });

  it('reorders deliveries within reorderWindowMs (seeded, so reproducible)', async () => {
    // The window opens at the first event; it must hold all eight (created one after another), or the events
    // are shuffled in several smaller batches whose order depends on timing and may come out unchanged.
    await emulatorPost(h.emulator, '/_emulator/config', { reorderWindowMs: 2000, seed: 7 });
    const names = Array.from({ length: 8 }, (_, i) => `Reorder ${i}`);
    for (const name of names) await h.stripe.products.create({ name });
    const seen = () =>
      h.receiver.received
        .map((r) => (r.event.data.object as Stripe.Product).name)
        .filter((n) => names.includes(n));
    await eventually(() => seen().length === names.length, { what: 'all reordered deliveries' });
    expect([...seen()].sort()).toEqual(names);
    expect(seen()).not.toEqual(names);
  }, 30_000);

  it('resets all state on POST /_emulator/reset', async () => {
    const { proMonth } = await seedCatalog(h.stripe);
    await emulatorPost(h.emulator, '/_emulator/reset', {});
    await expect(h.stripe.prices.retrieve(proMonth.id)).rejects.toMatchObject({ statusCode: 404 });
  });
  it('answers 429 rate_limit beyond rateLimitPerSecond, and serves again once tokens refill', async () => {
    const strict = new Stripe('sk_test_limits', {
      host: '127.0.0.1',
      port: h.emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await emulatorPost(h.emulator, '/_emulator/config', { rateLimitPerSecond: 5 });
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, () => strict.customers.list({ limit: 1 }).catch((e: unknown) => e)),
      );
      const limited = results.filter((r) => r instanceof Stripe.errors.StripeRateLimitError);
      expect(limited.length).toBeGreaterThanOrEqual(6);
      expect(limited[0]).toMatchObject({ statusCode: 429, code: 'rate_limit' });
      await eventually(async () => (await strict.customers.list({ limit: 1 })).object === 'list', {
        what: 'the bucket to refill',
      });
    } finally {
      await emulatorPost(h.emulator, '/_emulator/config', { rateLimitPerSecond: 0 });
    }
    expect((await h.stripe.customers.list({ limit: 1 })).object).toBe('list');
  });
});
