import { Client } from 'pg';
import type Stripe from 'stripe';
import { BillingSubject, ErrorCode, type Interval, type PlanId } from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { StripeEventProjector } from '../src/services/stripe-event.projector';
import { BillingHarness, operator, owner } from './billing-harness';

const DAY = 86_400;
/** 2027-01-01T00:00:00Z: every tenant here lives on its own test clock starting then. */
const T0 = Date.UTC(2027, 0, 1) / 1000;
const TRIAL_END = T0 + 14 * DAY;
const PERIOD_END = TRIAL_END + 31 * DAY; // 2027-01-15 → 2027-02-15
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe('billing plan changes, seats, cancel and resume (Stripe emulator on test clocks)', () => {
  const h = new BillingHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  const change = (tenantId: string, idempotencyKey: string, plan: PlanId, interval: Interval = 'month') =>
    h.bus.request(BillingSubject.ApplyChange, { actor: owner(), tenantId, plan, interval, idempotencyKey });
  const preview = (tenantId: string, plan: PlanId, interval: Interval = 'month') =>
    h.bus.request(BillingSubject.PreviewChange, { actor: owner(), tenantId, plan, interval });
  const state = (tenantId: string) => h.bus.request(BillingSubject.GetState, { tenantId });
  const createTenant = (id: string) =>
    h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id,
      name: id,
      billingEmail: `billing@${id}.test`,
    });
  const addMember = (tenantId: string, userId: string) =>
    h.bus.request(BillingSubject.AddMember, { actor: owner(), tenantId, userId, email: `${userId}@x.test` });
  const invoicesOf = async (customer: string, reason?: string) =>
    (await h.stripe.invoices.list({ customer, limit: 100 })).data.filter(
      (i) => !reason || i.billing_reason === reason,
    );

  async function paidTenant(id: string, plan: PlanId) {
    const paid = await h.paidOnClock(id, plan, T0);
    expect(paid.trialEnd).toBe(TRIAL_END);
    expect(await state(id)).toMatchObject({ plan, status: 'active' });
    return paid;
  }

  it('upgrades at once for exactly what the preview said, once however often it is clicked', async () => {
    const { customer, clock } = await paidTenant('up', 'pro');
    await h.advanceClock(clock, TRIAL_END + 10 * DAY);
    await h.settle(customer);

    const quote = await preview('up', 'business');
    expect(quote).toMatchObject({ kind: 'upgrade', currency: 'usd', effectiveAt: iso(TRIAL_END + 10 * DAY) });
    expect(quote.amountDueNow).toBeGreaterThan(0);
    expect(quote.lines.every((l) => Number.isInteger(l.amount))).toBe(true);

    // A double click (same key) and a second tab (another key) at the same moment: one change, one charge.
    const [first, second, third] = await Promise.all([
      change('up', 'click-1', 'business'),
      change('up', 'click-1', 'business'),
      change('up', 'tab-2', 'business'),
    ]);
    for (const s of [first, second, third])
      expect(s).toMatchObject({
        plan: 'business',
        status: 'active',
        seats: { included: 25 },
        pendingChange: null,
      });
    const charged = await invoicesOf(customer, 'subscription_update');
    expect(charged).toHaveLength(1);
    expect(charged[0]).toMatchObject({ status: 'paid', amount_paid: quote.amountDueNow });
    expect(charged[0].lines.data.map((l) => l.amount)).toEqual(quote.lines.map((l) => l.amount));

    // New entitlements at once, before Stripe's webhooks arrive; the webhooks then change nothing.
    await eventually(() => h.changes('up').some((c) => c.plan === 'business' && c.seats === 25), {
      what: 'subscription.changed to business',
    });
    const versions = h.changes('up').length;
    await h.settle(customer);
    expect(await state('up')).toMatchObject({ plan: 'business' });
    expect(h.changes('up').filter((c) => c.plan === 'pro').length).toBeLessThan(versions);
    const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: 'up' });
    const changed = audit.data.filter((a) => a.action === 'plan.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      actor: owner(),
      before: { plan: 'pro' },
      after: { plan: 'business', kind: 'upgrade', amountPaid: quote.amountDueNow },
    });
    await eventually(() => h.notifications('up', 'plan_changed').length === 1, {
      what: 'plan_changed email',
    });
    expect(h.notifications('up', 'plan_changed')[0].payload.data).toMatchObject({
      plan: 'business',
      previousPlan: 'pro',
      scheduled: false,
      amount: quote.amountDueNow,
    });

    // The next renewal bills what the preview announced.
    await h.advanceClock(clock, PERIOD_END + 2 * 3600);
    await h.settle(customer);
    const renewal = (await invoicesOf(customer, 'subscription_cycle')).find((i) => i.created >= PERIOD_END)!;
    expect(renewal.total).toBe(quote.nextInvoiceTotal);
  }, 60_000);

  it("schedules a downgrade for the period end, shows Stripe's credit, and refuses it while seats are in use", async () => {
    const { customer, clock } = await paidTenant('down', 'business');
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) await addMember('down', user);
    await h.advanceClock(clock, TRIAL_END + 10 * DAY);
    await h.settle(customer);

    const refused = await change('down', 'd0', 'pro').catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: ErrorCode.SeatsInUse,
      details: { seatsInUse: 6, seatsAfterChange: 5, removeAtLeast: 1 },
    });
    expect(
      (refused as { details: { members: { userId: string }[] } }).details.members.map((m) => m.userId),
    ).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    await h.bus.request(BillingSubject.RemoveMember, { actor: owner(), tenantId: 'down', userId: 'u6' });

    const quote = await preview('down', 'pro');
    expect(quote).toMatchObject({ kind: 'downgrade', amountDueNow: 0, effectiveAt: iso(PERIOD_END) });
    expect(quote.creditNow).toBeGreaterThan(0);

    const scheduled = await change('down', 'd1', 'pro');
    expect(scheduled).toMatchObject({
      plan: 'business',
      seats: { used: 5, included: 25 },
      pendingChange: { plan: 'pro', interval: 'month', seats: 5, effectiveAt: iso(PERIOD_END) },
    });
    await h.settle(customer);
    // The credit is Stripe's: the customer balance its credit invoice left, shown as creditBalance.
    const balance = -((await h.stripe.customers.retrieve(customer)) as Stripe.Customer).balance;
    expect(balance).toBe(quote.creditNow);
    await eventually(async () => (await state('down')).creditBalance === quote.creditNow, {
      what: 'creditBalance from customer.updated',
    });
    expect(h.changes('down').at(-1)).toMatchObject({ plan: 'business', seats: 25 });
    await eventually(() => h.notifications('down', 'plan_changed').length === 1, { what: 'plan_changed' });
    expect(h.notifications('down', 'plan_changed')[0].payload.data).toMatchObject({
      plan: 'pro',
      scheduled: true,
      effectiveAt: iso(PERIOD_END),
    });

    // At the period end the held plan ends: pro entitlements, and the renewal bills pro less the credit.
    await h.advanceClock(clock, PERIOD_END + 2 * 3600);
    await h.settle(customer);
    await eventually(async () => (await state('down')).plan === 'pro', { what: 'pro in force' });
    expect(await state('down')).toMatchObject({ pendingChange: null, seats: { included: 5, purchased: 0 } });
    await eventually(() => h.changes('down').at(-1)?.plan === 'pro', { what: 'subscription.changed to pro' });
    expect(h.changes('down').at(-1)).toMatchObject({ plan: 'pro', seats: 5 });
    const renewal = (await invoicesOf(customer, 'subscription_cycle')).find((i) => i.created >= PERIOD_END)!;
    expect(renewal.total).toBe(quote.nextInvoiceTotal);
    expect(renewal.amount_due).toBe(Math.max(0, renewal.total - quote.creditNow!));
    const left = -((await h.stripe.customers.retrieve(customer)) as Stripe.Customer).balance;
    await eventually(async () => (await state('down')).creditBalance === left, { what: 'credit used' });
  }, 60_000);

  it.each([
    ['crash-retry', 'the retry with the same key'],
    ['crash-hook', "Stripe's webhook"],
  ])(
    'keeps the paid-for plan when billing crashes after Stripe applied a downgrade (%s: finished by %s)',
    async (id) => {
      const { customer, clock } = await paidTenant(id, 'business');
      await h.advanceClock(clock, TRIAL_END + 10 * DAY);
      await h.settle(customer);
      // The crash: Stripe answers, then billing dies before its commit (the write after the call throws once).
      const projector = h.app.get(StripeEventProjector);
      const write = jest
        .spyOn(projector, 'applyCommandResult')
        .mockRejectedValueOnce(new Error('billing crashed before its commit'));
      await expect(change(id, 'down-1', 'pro')).rejects.toMatchObject({ code: ErrorCode.Internal });
      write.mockRestore();
      const [sub] = (await h.stripe.subscriptions.list({ customer, limit: 1 })).data;
      expect(sub.items.data.map((i) => i.price.lookup_key)).toContain('tollgate_pro_month');

      if (id === 'crash-retry') await change(id, 'down-1', 'pro');
      else await h.settle(customer);
      const held = { plan: 'business', pendingChange: { plan: 'pro', effectiveAt: iso(PERIOD_END) } };
      await eventually(async () => (await state(id)).pendingChange !== null, { what: 'the hold' });
      expect(await state(id)).toMatchObject(held);
      await h.settle(customer);
      expect(await state(id)).toMatchObject(held);
      await eventually(() => h.changes(id).at(-1)?.plan === 'business', { what: 'business in force' });
      await h.outboxObserved(); // every change billing committed has been published: none may say pro
      expect(h.changes(id).filter((c) => c.plan === 'pro')).toHaveLength(0);
      const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: id });
      expect(audit.data.filter((a) => a.action === 'plan.changed')).toMatchObject([
        { actor: owner(), after: { kind: 'downgrade', idempotencyKey: 'down-1' } },
      ]);
      await eventually(() => h.notifications(id, 'plan_changed').length === 1, { what: 'plan_changed' });
      expect(
        await h.ds.query(`SELECT 1 FROM billing.plan_change_intents WHERE tenant_id = $1`, [id]),
      ).toHaveLength(0);
    },
    60_000,
  );

  it('abandons a recorded change Stripe refused: no hold, nothing left pending', async () => {
    const { customer, clock, subscriptionId } = await paidTenant('refused', 'pro');
    await h.advanceClock(clock, TRIAL_END + 10 * DAY);
    const pm = await h.stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer });
    await h.stripe.subscriptions.update(subscriptionId, { default_payment_method: pm.id });
    await h.settle(customer);
    await expect(change('refused', 'up-1', 'business')).rejects.toMatchObject({
      code: ErrorCode.StripeError,
    });
    expect(await state('refused')).toMatchObject({ plan: 'pro', pendingChange: null });
    expect(
      await h.ds.query(`SELECT 1 FROM billing.plan_change_intents WHERE tenant_id = 'refused'`),
    ).toHaveLength(0);
  }, 60_000);

  it('buys a prorated seat for a member beyond the plan, credits it back on removal, and switches to annual at once', async () => {
    const { customer, clock } = await paidTenant('seats', 'pro');
    await h.advanceClock(clock, TRIAL_END + 5 * DAY);
    await h.settle(customer);
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) await addMember('seats', user);
    expect(await invoicesOf(customer, 'subscription_update')).toHaveLength(0);

    await addMember('seats', 'u6');
    expect(await state('seats')).toMatchObject({ seats: { used: 6, included: 5, purchased: 1 } });
    const seatInvoice = (await invoicesOf(customer, 'subscription_update'))[0];
    expect(seatInvoice.status).toBe('paid');
    expect(seatInvoice.amount_paid).toBeGreaterThan(0);
    expect(seatInvoice.amount_paid).toBeLessThan(800);
    await expect(addMember('seats', 'u6')).resolves.toMatchObject({ userId: 'u6' }); // idempotent
    expect(await invoicesOf(customer, 'subscription_update')).toHaveLength(1);

    await h.bus.request(BillingSubject.RemoveMember, { actor: owner(), tenantId: 'seats', userId: 'u6' });
    expect(await state('seats')).toMatchObject({ seats: { used: 5, purchased: 0 } });
    const pending = await h.stripe.invoiceItems.list({ customer, pending: true, limit: 100 });
    const credit = pending.data.reduce((sum, item) => sum + item.amount, 0);
    expect(credit).toBeLessThan(0); // Stripe's credit, waiting for the next invoice

    const quote = await preview('seats', 'pro', 'year');
    expect(quote).toMatchObject({ kind: 'interval_change', nextInvoiceTotal: 29000 });
    const annual = await change('seats', 'annual', 'pro', 'year');
    expect(annual).toMatchObject({ plan: 'pro', interval: 'year', status: 'active' });
    const invoice = (await invoicesOf(customer, 'subscription_update')).sort(
      (a, b) => b.created - a.created,
    )[0];
    expect(invoice.amount_paid).toBe(quote.amountDueNow);
    expect(invoice.total).toBe(quote.lines.reduce((sum, l) => sum + l.amount, 0));
    expect(annual.renewsAt).toBe(iso(TRIAL_END + 5 * DAY + 365 * DAY));
  }, 60_000);

  it('cancels at period end, resumes, cancels now to Free, and resubscribes right away', async () => {
    const tenant = await createTenant('churn');
    const customer = tenant.stripeCustomerId!;
    await expect(
      h.bus.request(BillingSubject.Cancel, { actor: owner(), tenantId: 'churn', at: 'now' }),
    ).rejects.toMatchObject({ code: ErrorCode.NoSubscription });
    const { sessionId } = await h.bus.request(BillingSubject.CreateCheckout, {
      actor: owner(),
      tenantId: 'churn',
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'c1',
    });
    await h.completeCheckout(sessionId);
    // The webhook arrives before the browser comes back from Checkout: the state is already there.
    const events = await h.newEventsOf(customer);
    await h.publish(events.filter((e) => e.type === 'checkout.session.completed'));
    await eventually(async () => (await state('churn')).status === 'trialing', { what: 'trialing' });
    await h.publish(events.filter((e) => e.type !== 'checkout.session.completed'));
    await h.settle(customer);

    const pending = await h.bus.request(BillingSubject.Cancel, {
      actor: owner(),
      tenantId: 'churn',
      at: 'period_end',
      idempotencyKey: 'cancel-1',
    });
    expect(pending).toMatchObject({ status: 'canceled_pending', plan: 'pro', renewsAt: null });
    expect(pending.cancelAt).not.toBeNull();
    await expect(
      h.bus.request(BillingSubject.Cancel, {
        actor: owner(),
        tenantId: 'churn',
        at: 'period_end',
        idempotencyKey: 'cancel-1',
      }),
    ).resolves.toMatchObject({ status: 'canceled_pending' });

    const resumed = await h.bus.request(BillingSubject.Resume, { actor: owner(), tenantId: 'churn' });
    expect(resumed).toMatchObject({ status: 'trialing', cancelAt: null });
    await expect(
      h.bus.request(BillingSubject.Resume, { actor: owner(), tenantId: 'churn' }),
    ).resolves.toMatchObject({
      status: 'trialing',
    });

    const gone = await h.bus.request(BillingSubject.Cancel, {
      actor: owner(),
      tenantId: 'churn',
      at: 'now',
      idempotencyKey: 'cancel-2',
    });
    expect(gone).toMatchObject({ status: 'canceled', plan: 'free', interval: null, seats: { included: 1 } });
    await eventually(() => h.changes('churn').at(-1)?.state === 'canceled', { what: 'canceled event' });
    expect(h.changes('churn').at(-1)).toMatchObject({ plan: 'free', seats: 1 });
    await h.settle(customer);
    expect(await state('churn')).toMatchObject({ status: 'canceled', plan: 'free' });

    // Resubscribe at once: a new checkout (no second trial) and a new live subscription.
    const again = await h.bus.request(BillingSubject.CreateCheckout, {
      actor: owner(),
      tenantId: 'churn',
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'c2',
    });
    await h.completeCheckout(again.sessionId);
    await h.settle(customer);
    expect(await state('churn')).toMatchObject({ status: 'active', plan: 'pro', trialEndsAt: null });

    const actions = (
      await h.bus.request(BillingSubject.ListAudit, { tenantId: 'churn', limit: 100 })
    ).data.map((a) => a.action);
    expect(actions.filter((a) => a === 'subscription.cancel_requested')).toHaveLength(2);
    expect(actions.filter((a) => a === 'subscription.resumed')).toHaveLength(1);
    await eventually(() => h.notifications('churn', 'canceled').length === 2, {
      what: 'two cancellation emails',
    });
  }, 60_000);

  it('keeps announcing the live subscription when an old one changes after a cancel-and-replace', async () => {
    const tenant = await createTenant('swap');
    const customer = tenant.stripeCustomerId!;
    const priceOf = async (lookupKey: string) =>
      (await h.stripe.prices.list({ lookup_keys: [lookupKey] })).data[0].id;
    const pm = await h.stripe.paymentMethods.attach('pm_card_visa', { customer });
    await h.stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
    const old = await h.stripe.subscriptions.create({
      customer,
      items: [{ price: await priceOf('tollgate_pro_month') }],
    });
    await h.settle(customer);
    await h.stripe.subscriptions.cancel(old.id);
    await h.stripe.subscriptions.create({
      customer,
      items: [{ price: await priceOf('tollgate_business_year') }],
    });
    const events = await h.settle(customer);
    await eventually(() => h.changes('swap').at(-1)?.plan === 'business', { what: 'the new plan announced' });

    // The old subscription's row changes once more after the new one went live, as when its last events are
    // projected late: here a copy of its deletion under a new event id, against a row that differs from it.
    const sql = new Client({ connectionString: h.db.url });
    await sql.connect();
    try {
      await sql.query(
        `UPDATE billing.subscriptions SET purchased_seats = 5 WHERE stripe_subscription_id = $1`,
        [old.id],
      );
    } finally {
      await sql.end();
    }
    const deletion = events.find(
      (e) => e.type === 'customer.subscription.deleted' && e.data.object.id === old.id,
    )!;
    const late = { ...deletion, id: `${deletion.id}_late`, created: Math.floor(Date.now() / 1000) };
    const versionBefore = h.changes('swap').at(-1)!.version;
    await h.publish([late]);
    await eventually(() => h.processed([late.id]), { what: 'the late event processed' });
    await eventually(() => h.changes('swap').at(-1)!.version > versionBefore, { what: 'a new announcement' });
    expect(h.changes('swap').at(-1)).toMatchObject({ plan: 'business', interval: 'year', state: 'active' });
    expect(await state('swap')).toMatchObject({ plan: 'business', status: 'active' });
  }, 60_000);
});
