import { BillingEvent, BillingSubject } from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { BillingScheduler } from '../src/services/billing-scheduler.service';
import { BillingHarness, operator, owner } from './billing-harness';

const DAY = 86_400;
const T0 = Date.UTC(2027, 0, 1) / 1000;
const TRIAL_END = T0 + 14 * DAY; // 2027-01-15T00:00:00Z, midnight UTC
const PERIOD_END = TRIAL_END + 31 * DAY;
const FAILED_AT = PERIOD_END + 3600; // Stripe charges a renewal an hour after drafting it
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe('billing dunning ladder, with two billing replicas on Stripe test clocks', () => {
  const h = new BillingHarness();
  beforeAll(async () => {
    // Stripe's retry schedule set to match the ladder: 3 and then 2 more days after the failure, then leave
    // the subscription past_due (Tollgate's grace period decides the suspension).
    await h.start({ emulator: { retrySchedule: { retryDays: [3, 2], terminalAction: 'past_due' } } });
    await h.startReplica();
  }, 60_000);
  afterAll(() => h.stop());

  const state = (tenantId: string) => h.bus.request(BillingSubject.GetState, { tenantId });
  /** The notification requests billing committed for a tenant, by kind (the outbox is the source of truth). */
  const requested = async (tenantId: string) => {
    const rows = await h.ds.query<{ kind: string; n: string }[]>(
      `SELECT payload->>'kind' AS kind, count(*) AS n FROM billing.outbox
        WHERE subject = $1 AND payload->>'tenantId' = $2 GROUP BY 1 ORDER BY 1`,
      [BillingEvent.NotificationRequested, tenantId],
    );
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  };
  /** Every replica's scheduler has run a full pass at the clock's current time. */
  const ticked = async () => {
    await h.app.get(BillingScheduler).tick();
  };
  const useCard = async (customer: string, subscriptionId: string, card: string) => {
    const pm = await h.stripe.paymentMethods.attach(card, { customer });
    await h.stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
    await h.stripe.subscriptions.update(subscriptionId, { default_payment_method: pm.id });
  };

  it('walks day 0 → 3 → 5 → 7 with one email per stage, suspends at the end of grace, and reactivates on payment', async () => {
    const { customer, clock, subscriptionId } = await h.paidOnClock('ladder', 'pro', T0);
    // The card expires between renewals: the card on file now declines.
    await useCard(customer, subscriptionId, 'pm_card_chargeDeclinedExpiredCard');
    await h.settle(customer);
    const seen: string[] = [];
    const look = async () => {
      const s = await state('ladder');
      seen.push(`${s.status}:${s.dunning.stage}`);
      return s;
    };

    // Day 0: the renewal fails → past_due, the banner stage, one payment_failed email, grace until day 7.
    await h.advanceClock(clock, FAILED_AT);
    await h.settle(customer);
    expect(await look()).toMatchObject({
      status: 'past_due',
      plan: 'pro',
      dunning: { stage: 'payment_failed', since: iso(FAILED_AT), nextRetryAt: iso(FAILED_AT + 3 * DAY) },
    });
    await eventually(() => h.changes('ladder').at(-1)?.graceUntil === iso(FAILED_AT + 7 * DAY), {
      what: 'graceUntil on subscription.changed',
    });
    expect(h.changes('ladder').at(-1)).toMatchObject({ state: 'past_due', plan: 'pro' });
    expect(await requested('ladder')).toMatchObject({ payment_failed: 1 });

    // Day 3: Stripe's second attempt fails → reminder.
    await h.advanceClock(clock, FAILED_AT + 3 * DAY);
    await h.settle(customer);
    await eventually(async () => (await state('ladder')).dunning.stage === 'reminder', { what: 'reminder' });
    expect(await look()).toMatchObject({
      status: 'past_due',
      dunning: { nextRetryAt: iso(FAILED_AT + 5 * DAY) },
    });

    // Day 5: the third attempt fails → urgent.
    await h.advanceClock(clock, FAILED_AT + 5 * DAY);
    await h.settle(customer);
    await eventually(async () => (await state('ladder')).dunning.stage === 'urgent', { what: 'urgent' });
    expect(await look()).toMatchObject({ status: 'past_due' });

    // A second before the grace period ends nothing happens, however often the schedulers look.
    await h.advanceClock(clock, FAILED_AT + 7 * DAY - 1);
    await h.settle(customer);
    await ticked();
    expect((await state('ladder')).status).toBe('past_due');

    // Day 7: no Stripe event at all; billing's scheduler suspends (read-only from now).
    await h.advanceClock(clock, FAILED_AT + 7 * DAY);
    await eventually(async () => (await state('ladder')).status === 'suspended', { what: 'suspension' });
    expect(await look()).toMatchObject({ plan: 'pro', dunning: { stage: 'suspended' } });
    await eventually(() => h.changes('ladder').at(-1)?.state === 'suspended', { what: 'suspended event' });

    // Every event delivered again (a Stripe retry long after the broker forgot them), schedulers still polling.
    const forwarded = await h.stripe.events.list({ limit: 100 });
    const mine = forwarded.data.filter((e) => JSON.stringify(e.data.object).includes(customer));
    await h.redeliver(mine, 'again');
    await h.stripeEventsConsumed();
    await ticked();

    // The owner puts a working card on file and pays the open invoice: active at once, reactivated.
    await useCard(customer, subscriptionId, 'pm_card_visa');
    const open = (await h.stripe.invoices.list({ customer, status: 'open', limit: 10 })).data;
    expect(open).toHaveLength(1);
    await h.stripe.invoices.pay(open[0].id);
    await h.settle(customer);
    expect(await look()).toMatchObject({ status: 'active', dunning: { stage: 'none', since: null } });

    expect(seen).toEqual([
      'past_due:payment_failed',
      'past_due:reminder',
      'past_due:urgent',
      'suspended:suspended',
      'active:none',
    ]);
    expect(await requested('ladder')).toEqual({
      trial_started: 1,
      trial_ending: 1,
      payment_succeeded: 2, // the first invoice, and the renewal paid at last
      payment_failed: 1,
      payment_reminder: 1,
      payment_urgent: 1,
      suspended: 1,
      reactivated: 1,
    });
    await eventually(() => h.notifications('ladder', 'reactivated').length === 1, {
      what: 'reactivated sent',
    });
    const failed = h.notifications('ladder', 'payment_failed')[0].payload;
    expect(failed).toMatchObject({
      to: 'billing@ladder.test',
      data: {
        amount: 2900,
        currency: 'usd',
        invoiceId: open[0].id,
        hostedInvoiceUrl: open[0].hosted_invoice_url,
        suspendsAt: iso(FAILED_AT + 7 * DAY),
      },
    });
    const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: 'ladder', limit: 100 });
    const suspensions = audit.data.filter(
      (a) =>
        a.action === 'subscription.state_changed' && (a.after as { state?: string }).state === 'suspended',
    );
    expect(suspensions).toHaveLength(1);
    expect(suspensions[0].actor).toMatchObject({ type: 'system' });
  }, 90_000);

  it('lets a past_due tenant upgrade on a new card, and sends the hosted invoice link when the bank wants authentication', async () => {
    const { customer, clock, subscriptionId } = await h.paidOnClock('grace', 'pro', T0);
    await useCard(customer, subscriptionId, 'pm_card_authenticationRequired');
    await h.settle(customer);
    await h.advanceClock(clock, FAILED_AT);
    await h.settle(customer);
    expect(await state('grace')).toMatchObject({ status: 'past_due', dunning: { stage: 'payment_failed' } });
    const open = (await h.stripe.invoices.list({ customer, status: 'open', limit: 10 })).data[0];
    await eventually(() => h.notifications('grace', 'action_required').length === 1, {
      what: 'action_required',
    });
    expect(h.notifications('grace', 'action_required')[0].payload.data).toMatchObject({
      amount: 2900,
      currency: 'usd',
      hostedInvoiceUrl: open.hosted_invoice_url,
    });

    // During the grace period the owner adds a working card and upgrades: charged now, business at once.
    await h.advanceClock(clock, FAILED_AT + DAY);
    await useCard(customer, subscriptionId, 'pm_card_visa');
    const upgraded = await h.bus.request(BillingSubject.ApplyChange, {
      actor: owner(),
      tenantId: 'grace',
      plan: 'business',
      interval: 'month',
      idempotencyKey: 'upgrade-in-grace',
    });
    // Still past_due: the renewal invoice is open until paid; the grace period is unchanged.
    expect(upgraded).toMatchObject({
      plan: 'business',
      status: 'past_due',
      dunning: { since: iso(FAILED_AT) },
    });
    await eventually(() => h.changes('grace').at(-1)?.plan === 'business', { what: 'business entitlements' });
    expect(h.changes('grace').at(-1)).toMatchObject({
      state: 'past_due',
      seats: 25,
      graceUntil: iso(FAILED_AT + 7 * DAY),
    });
    const update = (await h.stripe.invoices.list({ customer, limit: 100 })).data.find(
      (i) => i.billing_reason === 'subscription_update',
    )!;
    expect(update.status).toBe('paid');

    // The owner pays the open renewal invoice on its hosted page: active again, reactivated once.
    await h.stripe.invoices.pay(open.id);
    await h.settle(customer);
    expect(await state('grace')).toMatchObject({
      status: 'active',
      plan: 'business',
      dunning: { stage: 'none' },
    });
    expect(await requested('grace')).toMatchObject({ payment_failed: 1, action_required: 1, reactivated: 1 });
  }, 60_000);

  it("sends no reminder when Stripe's retry succeeds at the moment the stage is due, before its event lands", async () => {
    const { customer, clock, subscriptionId } = await h.paidOnClock('race', 'pro', T0);
    await useCard(customer, subscriptionId, 'pm_card_chargeDeclinedExpiredCard');
    await h.settle(customer);
    await h.advanceClock(clock, FAILED_AT);
    await h.settle(customer);
    expect(await state('race')).toMatchObject({ status: 'past_due', dunning: { stage: 'payment_failed' } });

    // A working card goes on file; day 3 arrives and Stripe's second attempt succeeds. Its webhooks are
    // held back, so the mirror still says past_due with the reminder due now.
    await useCard(customer, subscriptionId, 'pm_card_visa');
    await h.advanceClock(clock, FAILED_AT + 3 * DAY);
    expect((await h.stripe.subscriptions.retrieve(subscriptionId)).status).toBe('active');
    await ticked();
    expect(await requested('race')).not.toHaveProperty('payment_reminder');
    expect((await state('race')).dunning.stage).toBe('payment_failed');

    // The payment's events land: active, reactivated once, and still no reminder.
    await h.settle(customer);
    expect(await state('race')).toMatchObject({ status: 'active', dunning: { stage: 'none' } });
    await ticked();
    expect(await requested('race')).toMatchObject({ payment_failed: 1, reactivated: 1 });
    expect(await requested('race')).not.toHaveProperty('payment_reminder');
  }, 60_000);

  it("dates the reminder's next retry as Stripe does when the scheduler enters the stage before the failure's event lands", async () => {
    const { customer, clock, subscriptionId } = await h.paidOnClock('early', 'pro', T0);
    await useCard(customer, subscriptionId, 'pm_card_chargeDeclinedExpiredCard');
    await h.settle(customer);
    await h.advanceClock(clock, FAILED_AT);
    await h.settle(customer);
    expect(await state('early')).toMatchObject({
      dunning: { stage: 'payment_failed', nextRetryAt: iso(FAILED_AT + 3 * DAY) },
    });
    const invoiceId = (await h.stripe.invoices.list({ customer, status: 'open', limit: 10 })).data[0].id;
    /** The stage email billing committed, and the retry date Stripe holds for the invoice right now. */
    const stageEmail = async (kind: string) => {
      const [row] = await eventually(
        async () => {
          const rows = await h.ds.query<{ payload: { data: Record<string, unknown> } }[]>(
            `SELECT payload FROM billing.outbox
              WHERE subject = $1 AND payload->>'tenantId' = 'early' AND payload->>'kind' = $2`,
            [BillingEvent.NotificationRequested, kind],
          );
          return rows.length > 0 && rows;
        },
        { what: `${kind} requested` },
      );
      const attempt = (await h.stripe.invoices.retrieve(invoiceId)).next_payment_attempt;
      return { data: row.payload.data, stripeRetry: attempt === null ? null : iso(attempt) };
    };

    // An hour into day 3: Stripe's second attempt has failed and it retries on day 5, but its
    // invoice.payment_failed is held back. The schedulers enter the reminder on their own.
    await h.advanceClock(clock, FAILED_AT + 3 * DAY + 3600);
    const reminder = await stageEmail('payment_reminder');
    expect(reminder.stripeRetry).toBe(iso(FAILED_AT + 5 * DAY));
    expect(reminder.data).toMatchObject({ invoiceId, amount: 2900, nextRetryAt: reminder.stripeRetry });
    expect((await state('early')).dunning).toMatchObject({
      stage: 'reminder',
      nextRetryAt: iso(FAILED_AT + 5 * DAY),
    });

    // Day 5: the last attempt fails and Stripe will not retry; the urgent email names no retry date.
    await h.advanceClock(clock, FAILED_AT + 5 * DAY + 3600);
    const urgent = await stageEmail('payment_urgent');
    expect(urgent.stripeRetry).toBeNull();
    expect(urgent.data).toMatchObject({ invoiceId, nextRetryAt: null, suspendsAt: iso(FAILED_AT + 7 * DAY) });

    // The held-back events land. Day 3's, older than the stage now in force, does not bring back its
    // retry date (day 5, past by now); day 5's agrees with what the scheduler stored. One email per stage.
    const day3 = (await h.newEventsOf(customer)).filter((e) => e.created < FAILED_AT + 5 * DAY);
    expect(day3.map((e) => e.type)).toContain('invoice.payment_failed');
    await h.publish(day3);
    await eventually(() => h.processed(day3.map((e) => e.id)), { what: "day 3's events processed" });
    expect((await state('early')).dunning).toMatchObject({ stage: 'urgent', nextRetryAt: null });
    await h.settle(customer);
    await ticked();
    expect((await state('early')).dunning).toMatchObject({ stage: 'urgent', nextRetryAt: null });
    expect(await requested('early')).toMatchObject({
      payment_failed: 1,
      payment_reminder: 1,
      payment_urgent: 1,
    });
  }, 60_000);

  it("holds a stage due with Stripe's retry half an hour away: the retry's failure sends it with the next date, its payment sends none", async () => {
    // Stripe retries 3 days and 30 minutes after the failure, then 2 days later: the reminder comes due (day 3)
    // half an hour before the retry it goes with.
    const RETRY = FAILED_AT + 3 * DAY + 1800;
    await h.configureEmulator({ retrySchedule: { retryDays: [3 + 30 / 1440, 2] } });
    try {
      const failing = await h.paidOnClock('waitfail', 'pro', T0);
      const paying = await h.paidOnClock('waitpay', 'pro', T0);
      for (const { customer, clock, subscriptionId } of [failing, paying]) {
        await useCard(customer, subscriptionId, 'pm_card_chargeDeclinedExpiredCard');
        await h.settle(customer);
        await h.advanceClock(clock, FAILED_AT);
        await h.settle(customer);
        await h.advanceClock(clock, FAILED_AT + 3 * DAY);
      }
      expect((await state('waitfail')).dunning).toMatchObject({
        stage: 'payment_failed',
        nextRetryAt: iso(RETRY),
      });

      // Day 3: the reminder is due, but Stripe's retry is half an hour away. The schedulers wait for it.
      await ticked();
      for (const tenantId of ['waitfail', 'waitpay']) {
        expect(await requested(tenantId)).not.toHaveProperty('payment_reminder');
        expect((await state(tenantId)).dunning.stage).toBe('payment_failed');
      }

      // The retry fails: its invoice.payment_failed enters the reminder, naming the next retry.
      await h.advanceClock(failing.clock, RETRY);
      await h.settle(failing.customer);
      expect((await state('waitfail')).dunning).toMatchObject({
        stage: 'reminder',
        nextRetryAt: iso(RETRY + 2 * DAY),
      });
      await ticked();
      expect(await requested('waitfail')).toMatchObject({ payment_failed: 1, payment_reminder: 1 });

      // The other customer's new card pays the retry: no reminder ever goes out.
      await useCard(paying.customer, paying.subscriptionId, 'pm_card_visa');
      await h.advanceClock(paying.clock, RETRY);
      await ticked();
      await h.settle(paying.customer);
      expect(await state('waitpay')).toMatchObject({ status: 'active', dunning: { stage: 'none' } });
      await ticked();
      expect(await requested('waitpay')).toMatchObject({ payment_failed: 1, reactivated: 1 });
      expect(await requested('waitpay')).not.toHaveProperty('payment_reminder');
    } finally {
      await h.configureEmulator({ retrySchedule: { retryDays: [3, 2] } });
    }
  }, 90_000);

  it("ends trials at the instant Stripe says, whatever the tenant's time zone; dates are rendered per zone only in emails", async () => {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const make = async (id: string, timeZone: string) =>
      (
        await h.bus.request(BillingSubject.CreateTenant, {
          actor: operator,
          id,
          name: id,
          billingEmail: `billing@${id}.test`,
          timeZone,
          testClock: clock.id,
        })
      ).stripeCustomerId!;
    // Auckland: with a card, through Checkout. Los Angeles: a trial started without a card.
    const akl = await make('akl', 'Pacific/Auckland');
    const lax = await make('lax', 'America/Los_Angeles');
    const { sessionId } = await h.bus.request(BillingSubject.CreateCheckout, {
      actor: owner(),
      tenantId: 'akl',
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'c',
    });
    await h.completeCheckout(sessionId);
    const [price] = (await h.stripe.prices.list({ lookup_keys: ['tollgate_pro_month'] })).data;
    await h.stripe.subscriptions.create({
      customer: lax,
      items: [{ price: price.id }],
      trial_period_days: 14,
      trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
      metadata: { tenant_id: 'lax' },
    });
    await h.settle(akl);
    await h.settle(lax);
    for (const id of ['akl', 'lax'])
      expect(await state(id)).toMatchObject({ status: 'trialing', trialEndsAt: iso(TRIAL_END) });

    // Midnight UTC is 13:00 in Auckland and 16:00 the day before in Los Angeles; one second before it, both
    // are still trialing.
    await h.advanceClock(clock.id, TRIAL_END - 1);
    await h.settle(akl);
    await h.settle(lax);
    expect((await state('akl')).status).toBe('trialing');
    expect((await state('lax')).status).toBe('trialing');
    for (const [id, zone] of [
      ['akl', 'Pacific/Auckland'],
      ['lax', 'America/Los_Angeles'],
    ]) {
      await eventually(() => h.notifications(id, 'trial_ending').length === 1, {
        what: `${id} trial_ending`,
      });
      expect(h.notifications(id, 'trial_ending')[0].payload).toMatchObject({
        timeZone: zone,
        data: { plan: 'pro', trialEndsAt: iso(TRIAL_END) },
      });
    }

    await h.advanceClock(clock.id, TRIAL_END);
    await h.settle(akl);
    await h.settle(lax);
    expect(await state('akl')).toMatchObject({ status: 'active', plan: 'pro', trialEndsAt: null });
    expect(await state('lax')).toMatchObject({ status: 'expired', plan: 'free' });
  }, 60_000);
});
