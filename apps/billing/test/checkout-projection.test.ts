import type Stripe from 'stripe';
import {
  BillingEvent,
  BillingSubject,
  ErrorCode,
  STREAMS,
  type SubscriptionChangedEvent,
} from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { BillingHarness, operator, owner } from './billing-harness';

/** Deterministic shuffle (a fixed seed keeps a failure reproducible). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('billing checkout and the projection of Stripe events', () => {
  const h = new BillingHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  const tenant = async (id: string) => {
    const t = await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id,
      name: `Tenant ${id}`,
      billingEmail: `billing@${id}.test`,
      locale: 'en-US',
      timeZone: 'America/New_York',
    });
    return t.stripeCustomerId!;
  };
  const checkout = (
    tenantId: string,
    idempotencyKey: string,
    plan: 'pro' | 'business' = 'pro',
    seats?: number,
  ) =>
    h.bus.request(BillingSubject.CreateCheckout, {
      actor: owner(),
      tenantId,
      plan,
      interval: 'month',
      idempotencyKey,
      ...(seats ? { seats } : {}),
    });
  const settle = async (customerId: string, order: (events: Stripe.Event[]) => Stripe.Event[] = (e) => e) => {
    const events = await h.newEventsOf(customerId);
    await h.publish(order(events));
    await eventually(() => h.processed(events.map((e) => e.id)), {
      what: 'events processed',
      timeoutMs: 15_000,
    });
    return events;
  };

  it('answers the same session for the same Idempotency-Key, reuses an open one, and replaces a different one', async () => {
    await tenant('chk');
    const first = await checkout('chk', 'key-1');
    expect(first.checkoutUrl).toMatch(/^http/);
    const [again, concurrent] = await Promise.all([checkout('chk', 'key-1'), checkout('chk', 'key-2')]);
    expect(again).toEqual(first);
    expect(concurrent).toEqual(first); // same selection, still open: reused, never two open sessions

    await expect(checkout('chk', 'key-1', 'business')).rejects.toMatchObject({
      code: ErrorCode.IdempotencyConflict,
    });
    const business = await checkout('chk', 'key-3', 'business');
    expect(business.sessionId).not.toBe(first.sessionId);
    expect((await h.stripe.checkout.sessions.retrieve(first.sessionId)).status).toBe('expired');

    const session = await h.stripe.checkout.sessions.retrieve(business.sessionId);
    expect(session).toMatchObject({
      mode: 'subscription',
      client_reference_id: 'chk',
      metadata: { tenant_id: 'chk' },
    });
    expect(session.success_url).toContain('http://127.0.0.1:3000/billing');
  });

  it('projects a trial checkout: trialing pro, trial_started once, a versioned subscription.changed', async () => {
    const customer = await tenant('trial');
    const { sessionId } = await checkout('trial', 'k');
    await h.completeCheckout(sessionId, 'pm_card_visa');
    await settle(customer);

    const state = await h.bus.request(BillingSubject.GetState, { tenantId: 'trial' });
    expect(state).toMatchObject({
      plan: 'pro',
      interval: 'month',
      status: 'trialing',
      seats: { included: 5, purchased: 0 },
    });
    expect(Date.parse(state.trialEndsAt!) - Date.now()).toBeGreaterThan(13 * 86_400_000);

    await eventually(() => h.notifications('trial', 'trial_started').length === 1, { what: 'trial_started' });
    const changes = await eventually(() => {
      const c = h.published.filter(
        (e) => e.subject === BillingEvent.SubscriptionChanged && e.payload.tenantId === 'trial',
      );
      return c.length > 0 && c;
    });
    const last = changes.at(-1)!.payload as unknown as SubscriptionChangedEvent;
    expect(last).toMatchObject({ plan: 'pro', state: 'trialing', seats: 5 });
    const versions = changes.map((c) => (c.payload as unknown as SubscriptionChangedEvent).version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));

    await expect(checkout('trial', 'another')).rejects.toMatchObject({
      code: ErrorCode.SubscriptionExistsUseChange,
    });
    const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: 'trial' });
    expect(audit.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'subscription.state_changed',
          actor: expect.objectContaining({ type: 'stripe' }),
        }),
      ]),
    );
  });

  it('projects a paid subscription with extra seats: active, invoice stored with integer amounts, one receipt', async () => {
    const customer = await tenant('paid');
    const { sessionId } = await checkout('paid', 'k', 'business', 28);
    await h.completeCheckout(sessionId, 'pm_card_visa');
    await settle(customer);
    const sub = (await h.stripe.subscriptions.list({ customer, limit: 1 })).data[0];
    await h.endTrial(sub.id);
    await settle(customer);

    const state = await h.bus.request(BillingSubject.GetState, { tenantId: 'paid' });
    expect(state).toMatchObject({
      plan: 'business',
      status: 'active',
      seats: { included: 25, purchased: 3 },
      paymentMethod: { brand: 'visa', last4: '4242' },
      trialEndsAt: null,
    });
    expect(state.renewsAt).not.toBeNull();

    const invoices = await h.bus.request(BillingSubject.ListInvoices, { tenantId: 'paid' });
    const paid = invoices.data.find((i) => i.status === 'paid' && i.amountPaid > 0);
    expect(paid).toBeDefined();
    expect(paid!.amountPaid).toBe(9900 + 3 * 800);
    expect(Number.isInteger(paid!.total)).toBe(true);
    await expect(
      h.bus.request(BillingSubject.GetInvoice, { tenantId: 'paid', invoiceId: paid!.id }),
    ).resolves.toEqual(paid);
    // Another tenant's invoice does not exist for this one.
    await expect(
      h.bus.request(BillingSubject.GetInvoice, { tenantId: 'trial', invoiceId: paid!.id }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await eventually(() => h.notifications('paid', 'payment_succeeded').length === 1, {
      what: 'one receipt',
    });
    expect(h.notifications('paid', 'payment_succeeded')[0].payload).toMatchObject({
      to: 'billing@paid.test',
      locale: 'en-US',
      timeZone: 'America/New_York',
      data: { amount: 9900 + 3 * 800, currency: 'usd', invoiceId: paid!.id },
    });
  }, 30_000);

  it('ends in the same state from duplicated, shuffled events as from Stripe itself', async () => {
    const customer = await tenant('chaos');
    const { sessionId } = await checkout('chaos', 'k');
    await h.completeCheckout(sessionId, 'pm_card_visa');
    const sub = (await h.stripe.subscriptions.list({ customer, limit: 1 })).data[0];
    await h.endTrial(sub.id);
    await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });

    const events = await h.newEventsOf(customer);
    expect(events.length).toBeGreaterThan(4);
    await h.publish(shuffled([...events, ...events, ...events.slice(0, 3)], 7));
    await eventually(() => h.processed(events.map((e) => e.id)), {
      what: 'events processed',
      timeoutMs: 15_000,
    });

    const state = await h.bus.request(BillingSubject.GetState, { tenantId: 'chaos' });
    expect(state).toMatchObject({ plan: 'pro', status: 'canceled_pending', renewsAt: null });
    expect(state.cancelAt).not.toBeNull();
    const processed: { n: string }[] = await h.ds.query(
      `SELECT count(*) AS n FROM billing.processed_events WHERE event_id = ANY($1)`,
      [events.map((e) => e.id)],
    );
    expect(Number(processed[0].n)).toBe(events.length);
    await eventually(() => h.notifications('chaos', 'payment_succeeded').length >= 1, { what: 'a receipt' });
    await h.outboxObserved(); // a second receipt, if billing had asked for one, has been published by now
    const receipts = h.notifications('chaos', 'payment_succeeded').map((n) => n.payload.cause);
    expect(new Set(receipts).size).toBe(receipts.length);
    const trialStarts = h.notifications('chaos', 'trial_started');
    expect(trialStarts.length).toBeLessThanOrEqual(1);
  }, 30_000);

  it('refuses an older event and resolves a same-second one from Stripe (out-of-order guard)', async () => {
    const customer = (await h.bus.request(BillingSubject.GetTenant, { tenantId: 'chaos' })).stripeCustomerId!;
    const created = (
      await h.stripe.events.list({ limit: 100, type: 'customer.subscription.created' })
    ).data.find((e) => (e.data.object as Stripe.Subscription).customer === customer)!;
    const rows = await h.ds.query<{ state: string; last_event_at: Date }[]>(
      `SELECT state, last_event_at FROM billing.subscriptions WHERE tenant_id = 'chaos'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('canceled_pending');
    const lastAt = Math.floor(rows[0].last_event_at.getTime() / 1000);
    // A late delivery of the trialing payload, an hour older than what was applied: refused as stale.
    const older = { ...created, id: 'evt_late_older', created: lastAt - 3600 };
    // The same payload stamped with the same second as the newest applied event: Stripe is asked instead.
    const sameSecond = { ...created, id: 'evt_late_same_second', created: lastAt };
    await h.publish([older, sameSecond] as Stripe.Event[]);
    await eventually(() => h.processed([older.id, sameSecond.id]), { what: 'late events processed' });
    const outcomes = await h.ds.query<{ event_id: string; outcome: string }[]>(
      `SELECT event_id, outcome FROM billing.processed_events WHERE event_id = ANY($1) ORDER BY event_id`,
      [[older.id, sameSecond.id]],
    );
    expect(outcomes).toEqual([
      { event_id: 'evt_late_older', outcome: 'stale' },
      { event_id: 'evt_late_same_second', outcome: 'applied' },
    ]);
    const state = await h.bus.request(BillingSubject.GetState, { tenantId: 'chaos' });
    expect(state.status).toBe('canceled_pending');
  });

  it('retries an event for a customer it does not know and records nothing for it', async () => {
    const stranger = {
      id: 'evt_stranger',
      object: 'event',
      type: 'invoice.paid',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'in_x', object: 'invoice', customer: 'cus_nobody' } },
    } as unknown as Stripe.Event;
    const outcomes = await h.ds.query<unknown[]>(
      `SELECT outcome FROM billing.processed_events WHERE event_id = 'evt_stranger'`,
    );
    expect(outcomes).toEqual([]);
    await h.publish([stranger]);
    // The handler throws (no tenant), so nothing is recorded as processed: the effect and dedupe roll back together.
    await eventually(
      async () => {
        const info = await h.bus.jsm.consumers.info(h.bus.streamName(STREAMS.stripeEvents), 'billing');
        return info.num_redelivered > 0 || info.num_ack_pending > 0;
      },
      { what: 'a redelivery' },
    );
    const after = await h.ds.query<unknown[]>(
      `SELECT outcome FROM billing.processed_events WHERE event_id = 'evt_stranger'`,
    );
    expect(after).toEqual([]);
  });
});
