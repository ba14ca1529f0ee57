import { eventually } from '@tollgate/testing';
import type Stripe from 'stripe';
import { DAY, emulatorPost, seedCatalog, startHarness, type Harness } from './emulator-harness';

const START = Date.UTC(2026, 0, 1) / 1000;

describe('stripe emulator: subscription lifecycle on test clocks', () => {
  let h: Harness;
  let catalog: Awaited<ReturnType<typeof seedCatalog>>;
  beforeAll(async () => {
    h = await startHarness({ retrySchedule: { retryDays: [3, 5], terminalAction: 'cancel' } });
    catalog = await seedCatalog(h.stripe);
  });
  afterAll(async () => {
    await h.stop();
  });

  async function advance(clock: Stripe.TestHelpers.TestClock, to: number): Promise<void> {
    const advancing = await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
    expect(advancing.status).toBe('advancing');
    await eventually(
      async () => (await h.stripe.testHelpers.testClocks.retrieve(clock.id)).status === 'ready',
      {
        what: 'clock ready',
      },
    );
  }

  async function customerOnClock(email: string) {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await h.stripe.customers.create({ email, test_clock: clock.id });
    return { clock, customer };
  }

  async function checkout(customer: string, paymentMethod: string, trialDays?: number) {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [{ price: catalog.proMonth.id, quantity: 1 }],
      subscription_data: trialDays ? { trial_period_days: trialDays } : undefined,
    });
    const done = await emulatorPost(h.emulator, `/_emulator/checkout/${session.id}/complete`, {
      paymentMethod,
    });
    expect(done.status).toBe(200);
    const after = await h.stripe.checkout.sessions.retrieve(session.id);
    return h.stripe.subscriptions.retrieve(after.subscription as string);
  }

  const eventsFor = (type: string, subscriptionId: string) =>
    h.receiver.received.filter(
      (r) =>
        r.event.type === type &&
        ((r.event.data.object as { id?: string }).id === subscriptionId ||
          (r.event.data.object as Stripe.Invoice).parent?.subscription_details?.subscription ===
            subscriptionId),
    );

  it('runs a trial: trialing, trial_will_end three days before, then active with a paid invoice', async () => {
    const { clock, customer } = await customerOnClock('trial@example.com');
    const sub = await checkout(customer.id, 'pm_card_visa', 14);
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end).toBe(START + 14 * DAY);

    await advance(clock, START + 12 * DAY);
    await eventually(() => eventsFor('customer.subscription.trial_will_end', sub.id).length === 1, {
      what: 'trial_will_end',
    });
    expect(eventsFor('customer.subscription.trial_will_end', sub.id)[0].event.created).toBe(START + 11 * DAY);

    await advance(clock, START + 14 * DAY + 2 * 3600);
    const active = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(active.status).toBe('active');
    const invoice = active.latest_invoice as Stripe.Invoice;
    expect(invoice.billing_reason).toBe('subscription_cycle');
    expect(invoice.status).toBe('paid');
    expect(invoice.amount_paid).toBe(2000);
    expect(active.items.data[0].current_period_start).toBe(START + 14 * DAY);
  });

  it('cancels or pauses at trial end without a payment method, per trial_settings', async () => {
    for (const behavior of ['cancel', 'pause'] as const) {
      const { clock, customer } = await customerOnClock(`${behavior}@example.com`);
      const sub = await h.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: catalog.proMonth.id }],
        trial_period_days: 7,
        trial_settings: { end_behavior: { missing_payment_method: behavior } },
      });
      expect(sub.status).toBe('trialing');
      await advance(clock, START + 8 * DAY);
      const after = await h.stripe.subscriptions.retrieve(sub.id);
      expect(after.status).toBe(behavior === 'cancel' ? 'canceled' : 'paused');
    }
    await eventually(() => h.receiver.types().includes('customer.subscription.paused'), {
      what: 'paused event',
    });
  });

  it('renews monthly on the anchor day and charges the card', async () => {
    const { clock, customer } = await customerOnClock('renew@example.com');
    const sub = await checkout(customer.id, 'pm_card_visa');
    expect(sub.status).toBe('active');
    await advance(clock, Date.UTC(2026, 1, 1, 2) / 1000);
    const invoices = await h.stripe.invoices.list({ subscription: sub.id });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.amount_paid])).toEqual([
      ['subscription_cycle', 'paid', 2000],
      ['subscription_create', 'paid', 2000],
    ]);
    const renewed = await h.stripe.subscriptions.retrieve(sub.id);
    expect(renewed.items.data[0].current_period_end).toBe(Date.UTC(2026, 2, 1) / 1000);
  });

  it('takes a failing card through the retries to past_due and then the terminal action (cancel)', async () => {
    const { clock, customer } = await customerOnClock('dunning@example.com');
    const sub = await checkout(customer.id, 'pm_card_visa');
    // The card starts failing: the customer's only card is replaced by one whose charges are declined.
    const failing = await h.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });

    await advance(clock, Date.UTC(2026, 1, 1, 2) / 1000);
    let current = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(current.status).toBe('past_due');
    const invoice = current.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    expect(invoice.attempt_count).toBe(1);
    expect(invoice.next_payment_attempt).toBe(Date.UTC(2026, 1, 1, 1) / 1000 + 3 * DAY);
    // As on Stripe, the failure event itself already says when the next attempt will be.
    const failedEvents = await eventually(() => {
      const found = eventsFor('invoice.payment_failed', sub.id);
      return found.length === 1 && found;
    });
    expect((failedEvents[0].event.data.object as Stripe.Invoice).next_payment_attempt).toBe(
      invoice.next_payment_attempt,
    );

    await advance(clock, Date.UTC(2026, 1, 5) / 1000);
    expect((await h.stripe.invoices.retrieve(invoice.id)).attempt_count).toBe(2);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');

    await advance(clock, Date.UTC(2026, 1, 10) / 1000);
    current = await h.stripe.subscriptions.retrieve(sub.id);
    expect(current.status).toBe('canceled');
    expect(current.cancellation_details?.reason).toBe('payment_failed');
    const final = await h.stripe.invoices.retrieve(invoice.id);
    expect(final.attempt_count).toBe(3);
    expect(final.next_payment_attempt).toBeNull();
    await eventually(() => eventsFor('invoice.payment_failed', sub.id).length === 3, {
      what: 'three payment_failed',
    });
    await eventually(() => eventsFor('customer.subscription.deleted', sub.id).length === 1, {
      what: 'deleted',
    });
  });

  it('leaves a declined first payment incomplete, then incomplete_expired after 23 hours', async () => {
    const { clock, customer } = await customerOnClock('declined@example.com');
    const sub = await checkout(customer.id, 'pm_card_chargeDeclined');
    expect(sub.status).toBe('incomplete');
    await eventually(() => eventsFor('invoice.payment_failed', sub.id).length === 1, {
      what: 'payment_failed',
    });
    await advance(clock, START + DAY);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete_expired');
  });

  it('reports payment_action_required for a card that needs authentication', async () => {
    const { customer } = await customerOnClock('3ds@example.com');
    const sub = await checkout(customer.id, 'pm_card_authenticationRequired');
    expect(sub.status).toBe('incomplete');
    await eventually(() => eventsFor('invoice.payment_action_required', sub.id).length === 1, {
      what: 'action required',
    });
  });

  it('previews an upgrade and then invoices exactly the previewed proration, charged now', async () => {
    const { clock, customer } = await customerOnClock('upgrade@example.com');
    const sub = await checkout(customer.id, 'pm_card_visa');
    await advance(clock, START + 10 * DAY + 12345);
    const item = sub.items.data[0];
    const change = {
      items: [{ id: item.id, price: catalog.businessMonth.id }],
      proration_behavior: 'always_invoice' as const,
    };
    const preview = await h.stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      subscription_details: change,
    });
    const unused = -Math.round(
      (2000 * (Date.UTC(2026, 1, 1) / 1000 - (START + 10 * DAY + 12345))) / (31 * DAY),
    );
    const remaining = Math.round(
      (5000 * (Date.UTC(2026, 1, 1) / 1000 - (START + 10 * DAY + 12345))) / (31 * DAY),
    );
    expect(preview.lines.data.map((l) => l.amount)).toEqual([unused, remaining]);
    expect(preview.amount_due).toBe(unused + remaining);

    const updated = await h.stripe.subscriptions.update(sub.id, { ...change, expand: ['latest_invoice'] });
    const invoice = updated.latest_invoice as Stripe.Invoice;
    expect(invoice.billing_reason).toBe('subscription_update');
    expect(invoice.status).toBe('paid');
    expect(invoice.amount_paid).toBe(preview.amount_due);
    expect(invoice.lines.data.map((l) => l.amount)).toEqual(preview.lines.data.map((l) => l.amount));
    expect(updated.items.data[0].price.id).toBe(catalog.businessMonth.id);
  });

  it('adds create_prorations to the next invoice and turns a downgrade credit into customer balance', async () => {
    const { clock, customer } = await customerOnClock('downgrade@example.com');
    const sub = await checkout(customer.id, 'pm_card_visa');
    await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, quantity: 3 }],
      proration_behavior: 'create_prorations',
    });
    const pending = await h.stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.map((i) => i.amount).sort((a, b) => a - b)).toEqual([-2000, 6000]);

    const preview = await h.stripe.invoices.createPreview({ customer: customer.id, subscription: sub.id });
    await advance(clock, Date.UTC(2026, 1, 1, 2) / 1000);
    const renewal = (await h.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(renewal.total).toBe(preview.total);
    expect(renewal.total).toBe(-2000 + 6000 + 3 * 2000);

    // Downgrade with always_invoice: the negative invoice becomes credit on the customer's balance.
    const current = await h.stripe.subscriptions.retrieve(sub.id);
    await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: current.items.data[0].id, quantity: 1 }],
      proration_behavior: 'always_invoice',
    });
    const credited = await h.stripe.customers.retrieve(customer.id);
    expect((credited as Stripe.Customer).balance).toBeLessThan(0);
  });

  it('cancels at period end (and can resume), and cancels now', async () => {
    const { clock, customer } = await customerOnClock('cancel@example.com');
    const sub = await checkout(customer.id, 'pm_card_visa');
    const scheduled = await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(scheduled.cancel_at).toBe(Date.UTC(2026, 1, 1) / 1000);
    const resumed = await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
    expect(resumed.cancel_at).toBeNull();
    await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    await advance(clock, Date.UTC(2026, 1, 1, 2) / 1000);
    const ended = await h.stripe.subscriptions.retrieve(sub.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(Date.UTC(2026, 1, 1) / 1000);

    const other = await checkout(customer.id, 'pm_card_visa');
    const canceled = await h.stripe.subscriptions.cancel(other.id);
    expect(canceled.status).toBe('canceled');
    await eventually(() => eventsFor('customer.subscription.deleted', other.id).length === 1, {
      what: 'deleted',
    });
  });
});
