/**
 * Issue 6's end-to-end proof on the whole platform (every process spawned, real Postgres and NATS): a tenant
 * on a Stripe test clock whose card starts failing between renewals is walked through the dunning ladder by
 * advancing the clock — day 0 (past_due, payment_failed), day 3 (reminder), day 5 (urgent), day 7 (suspended,
 * read-only) — and then pays through the customer portal and the hosted invoice page (active, reactivated).
 * Every webhook is delivered several times (the emulator's duplicate fault), and each day the caught mail
 * is exactly the emails of that day: one per stage, whatever the redeliveries.
 */
import type Stripe from 'stripe';
import { eventually, signToken } from '@tollgate/testing';
import { PipelineHarness, reachesBilling } from './pipeline-harness';

jest.setTimeout(150_000);

const DAY = 86_400;
const T0 = Date.UTC(2027, 0, 1) / 1000;
const TRIAL_END = T0 + 14 * DAY; // 2027-01-15T00:00:00Z
const PERIOD_END = TRIAL_END + 31 * DAY; // 2027-02-15T00:00:00Z
const FAILED_AT = PERIOD_END + 3600; // Stripe charges a renewal an hour after drafting it
const COPIES = 2; // every delivery is followed by this many duplicates
const TENANT = 'ladder';
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** Deadline for what crosses processes (emulator → webhooks → NATS → billing → gateway, or on to entitlements). */
const CROSSING_MS = 30_000;

describe('dunning ladder on the real platform (test clock, duplicate webhook deliveries)', () => {
  const h = new PipelineHarness();
  let owner: string;
  let customer: string;
  let clock: string;

  beforeAll(async () => {
    // The scheduler polls often so the day-7 suspension (no Stripe event) shows within a second.
    await h.start({ extraEnv: { BILLING_SCHEDULER_POLL_MS: '250' } });
    // Stripe's retry schedule as docs/billing.md asks: retry 3 days after the failure and 2 days after
    // that, then leave the subscription past_due (Tollgate's grace period suspends it).
    await h.setFaults({ duplicateRate: 1, duplicateCopies: COPIES, seed: 6 });
    const config = await fetch(`${h.platform.urls.emulator}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ retrySchedule: { retryDays: [3, 2], terminalAction: 'past_due' } }),
    });
    expect(config.ok).toBe(true);
  });

  afterAll(() => h.stop());

  const billing = async () => {
    const res = await h.api('GET', '/v1/billing', owner);
    expect(res.status).toBe(200);
    return res.body as {
      status: string;
      plan: string;
      dunning: { stage: string; since: string | null; nextRetryAt: string | null };
    };
  };

  const decision = async (feature: string) =>
    (await h.api('GET', `/v1/entitlements/${feature}`, owner)).body as { allowed: boolean; reason: string };

  /**
   * Waits until the billing state matches `expected`, then asserts it. Its fields land separately: the status
   * and the dunning stage come from different events, and on days 3 and 5 either billing's scheduler (it polls
   * Stripe's clock, and reads the next retry date off Stripe's invoice) or Stripe's invoice.payment_failed
   * enters the stage, whichever comes first.
   */
  const billingReaches = async (expected: Record<string, unknown>, what: string) => {
    await eventually(
      async () => {
        expect(await billing()).toMatchObject(expected);
        return true;
      },
      { timeoutMs: CROSSING_MS, intervalMs: 200, what },
    );
    expect(await billing()).toMatchObject(expected);
  };

  const advance = async (to: number) => {
    await h.stripe.testHelpers.testClocks.advance(clock, { frozen_time: to });
    await eventually(async () => (await h.stripe.testHelpers.testClocks.retrieve(clock)).status === 'ready', {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `clock at ${iso(to)}`,
    });
  };

  /** The tenant's caught mail, oldest first. */
  const caught = async (): Promise<CaughtMail[]> => {
    const all = (await (await fetch(`${h.platform.urls.smtpHttp}/api/messages`)).json()) as CaughtMail[];
    return all.filter((m) => m.to.includes(`billing@${TENANT}.example`)).reverse();
  };
  /** The tenant's caught mail, oldest first, as "kind: subject". */
  const mail = async (): Promise<string[]> =>
    (await caught()).map((m) => `${m.headers['x-tollgate-kind']}: ${m.subject}`);
  /** The text of the tenant's one email of a kind. */
  const textOf = async (kind: string): Promise<string> => {
    const found = (await caught()).filter((m) => m.headers['x-tollgate-kind'] === kind);
    expect(found).toHaveLength(1);
    return found[0].text;
  };

  /**
   * Everything in flight has landed: every event about the customer was delivered with all its duplicates, billing
   * processed each one that reaches it, and notifications sent every email billing asked for (one per
   * distinct cause). Only then is the caught mail complete for the day.
   */
  const settle = async () => {
    await eventually(
      async () => {
        const deliveries = await h.deliveries();
        const okCopies = new Map<string, number>();
        for (const d of deliveries) if (d.ok) okCopies.set(d.eventId, (okCopies.get(d.eventId) ?? 0) + 1);
        const events = await h.eventsOf(new Set([customer]));
        return events.every((event) => (okCopies.get(event.id) ?? 0) >= 1 + COPIES);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'every event delivered with its duplicates' },
    );
    const events = (await h.eventsOf(new Set([customer]))).filter(reachesBilling);
    await h.awaitProcessed(
      events.map((e) => e.id),
      30_000,
      'billing processed the ladder events',
    );
    await h.awaitOneEmailPerCause([TENANT], 30_000);
  };

  /** Waits for the day's emails (the kinds in `expected`), settles, and answers the whole day's mail. */
  const mailOfTheDay = async (before: string[], expected: number): Promise<string[]> => {
    await eventually(async () => (await mail()).length >= before.length + expected, {
      timeoutMs: 30_000,
      what: `${expected} new emails`,
    });
    await settle();
    const all = await mail();
    expect(all.slice(0, before.length)).toEqual(before);
    return all.slice(before.length);
  };

  it('walks day 0 → 3 → 5 → 7 with exactly one email per stage, then reactivates on payment', async () => {
    // A tenant on a test clock subscribes to Pro monthly with a working card (14-day trial).
    clock = (await h.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'ladder' })).id;
    const operator = await signToken({ sub: 'e2e-operator', role: 'operator' });
    const created = await h.api('POST', '/v1/tenants', operator, {
      id: TENANT,
      name: 'Ladder Ltd',
      billingEmail: `billing@${TENANT}.example`,
      testClock: clock,
    });
    expect(created.status).toBe(201);
    owner = await signToken({ sub: `${TENANT}-owner`, role: 'owner', tid: TENANT });
    customer = (
      await h.pg.query<{ id: string }>(`SELECT stripe_customer_id AS id FROM billing.tenants WHERE id = $1`, [
        TENANT,
      ])
    ).rows[0].id;
    const checkout = await fetch(`${h.platform.urls.gateway}/v1/billing/checkout`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${owner}`,
        'content-type': 'application/json',
        'idempotency-key': 'ladder-checkout',
      },
      body: JSON.stringify({ plan: 'pro', interval: 'month' }),
    });
    expect(checkout.status).toBe(200);
    const { sessionId } = (await checkout.json()) as { sessionId: string };
    const paid = await fetch(`${h.platform.urls.emulator}/_emulator/checkout/${sessionId}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentMethod: 'pm_card_visa' }),
    });
    expect(paid.ok).toBe(true);

    // The trial ends and the first month is paid.
    await advance(TRIAL_END + 2 * 3600);
    await eventually(async () => (await billing()).status === 'active', {
      timeoutMs: CROSSING_MS,
      what: 'active after the trial',
    });
    const start = await mailOfTheDay([], 3);
    // Billing and notifications each handle several messages at once, so these three (requested moments
    // apart) may be sent in any order: compared as a set, exactly one of each.
    expect([...start].sort()).toEqual([
      'payment_succeeded: Receipt for your payment of $29.00',
      'trial_ending: Your Pro trial ends on January 15, 2027',
      'trial_started: Your Pro trial has started',
    ]);

    // The card on file starts failing before the renewal (what the customer's bank does, at Stripe).
    const sub = (await h.stripe.subscriptions.list({ customer, limit: 1 })).data[0];
    const failing = await h.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer });
    await h.stripe.customers.update(customer, { invoice_settings: { default_payment_method: failing.id } });
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });
    await settle();
    let seen = await mail();

    // Day 0: the renewal fails → past_due, the payment_failed email, grace until day 7.
    await advance(FAILED_AT);
    await billingReaches(
      {
        status: 'past_due',
        plan: 'pro',
        dunning: { stage: 'payment_failed', since: iso(FAILED_AT), nextRetryAt: iso(FAILED_AT + 3 * DAY) },
      },
      'day 0',
    );
    const day0 = await mailOfTheDay(seen, 1);
    expect(day0).toEqual(['payment_failed: Payment of $29.00 failed']);
    seen = [...seen, ...day0];
    // Entitlements hear of it through their own consumer, not the one that sent the email: wait for them.
    await eventually(async () => (await decision('projects')).reason === 'grace_period', {
      timeoutMs: CROSSING_MS,
      what: 'projects in the grace period',
    });
    expect(await decision('projects')).toMatchObject({ allowed: true, reason: 'grace_period' });

    // Day 3: Stripe's second attempt fails → reminder.
    await advance(FAILED_AT + 3 * DAY);
    await billingReaches(
      {
        status: 'past_due',
        dunning: { stage: 'reminder', since: iso(FAILED_AT), nextRetryAt: iso(FAILED_AT + 5 * DAY) },
      },
      'day 3',
    );
    const day3 = await mailOfTheDay(seen, 1);
    expect(day3).toEqual(['payment_reminder: Reminder: your payment of $29.00 is still due']);
    // Whichever entered the stage (the scheduler or the retry's event), the email names Stripe's next retry.
    expect(await textOf('payment_reminder')).toMatch(
      /We will try again on February 20, 2027 at 1:00\sAM UTC\./,
    );
    seen = [...seen, ...day3];

    // Day 5: the third and last attempt fails → urgent; Stripe will not retry again.
    await advance(FAILED_AT + 5 * DAY);
    await billingReaches(
      { status: 'past_due', dunning: { stage: 'urgent', since: iso(FAILED_AT), nextRetryAt: null } },
      'day 5',
    );
    const day5 = await mailOfTheDay(seen, 1);
    expect(day5).toEqual(['payment_urgent: Urgent: your account will be suspended on February 22, 2027']);
    expect(await textOf('payment_urgent')).not.toMatch(/try again/);
    seen = [...seen, ...day5];

    // Day 7: no Stripe event at all; billing's scheduler ends the grace period → suspended, read-only.
    await advance(FAILED_AT + 7 * DAY);
    await billingReaches(
      { status: 'suspended', plan: 'pro', dunning: { stage: 'suspended', since: iso(FAILED_AT) } },
      'day 7',
    );
    const day7 = await mailOfTheDay(seen, 1);
    expect(day7).toEqual(['suspended: Your account has been suspended']);
    seen = [...seen, ...day7];
    await eventually(async () => (await decision('projects')).reason === 'suspended_read_only', {
      timeoutMs: CROSSING_MS,
      what: 'projects read-only',
    });
    expect(await decision('projects')).toMatchObject({ allowed: false, reason: 'suspended_read_only' });
    expect(await decision('custom_domain')).toMatchObject({ allowed: false, reason: 'suspended_read_only' });
    expect(await decision('data_export')).toMatchObject({ allowed: true });

    // The owner opens the portal from Tollgate, puts a working card on file, and pays the open invoice on
    // Stripe's hosted invoice page: active at once, one reactivated email and the receipt.
    const portal = await h.api('POST', '/v1/billing/portal', owner);
    expect(portal.status).toBe(200);
    const portalUrl = (portal.body as { url: string }).url;
    const card = await fetch(`${portalUrl}/payment-method`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'paymentMethod=pm_card_visa',
      redirect: 'manual',
    });
    expect(card.status).toBe(303);
    const invoices = await h.api('GET', '/v1/billing/invoices', owner);
    const open = (
      invoices.body as { data: { status: string; hostedInvoiceUrl: string; total: number }[] }
    ).data.filter((i) => i.status === 'open');
    expect(open).toHaveLength(1);
    expect(open[0].total).toBe(2900);
    const pay = await fetch(`${open[0].hostedInvoiceUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'paymentMethod=pm_card_visa',
      redirect: 'manual',
    });
    expect(pay.status).toBeLessThan(400);
    await billingReaches(
      { status: 'active', dunning: { stage: 'none', since: null, nextRetryAt: null } },
      'reactivated',
    );
    const recovered = await mailOfTheDay(seen, 2);
    expect([...recovered].sort()).toEqual([
      'payment_succeeded: Receipt for your payment of $29.00',
      'reactivated: Your account is active again',
    ]);
    await eventually(async () => (await decision('projects')).allowed, {
      timeoutMs: CROSSING_MS,
      what: 'projects writable again',
    });

    // The duplicate fault was really on: every event of this customer was delivered 1 + COPIES times.
    const failures = (await h.eventsOf(new Set([customer]))).filter(
      (e: Stripe.Event) => e.type === 'invoice.payment_failed',
    );
    expect(failures).toHaveLength(3);
    const deliveries = await h.deliveries();
    for (const event of failures)
      expect(deliveries.filter((d) => d.eventId === event.id && d.ok)).toHaveLength(1 + COPIES);
  });
});
