import { BillingSubject } from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { BillingHarness, operator, owner } from './billing-harness';

describe('billing mirrors the card on file when it is removed at Stripe', () => {
  const h = new BillingHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  const state = (tenantId: string) => h.bus.request(BillingSubject.GetState, { tenantId });

  /** A trialing tenant whose checkout left a Visa on file (shown on the billing page). */
  async function withCard(id: string): Promise<{ customer: string; pm: string }> {
    const tenant = await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id,
      name: `Tenant ${id}`,
      billingEmail: `billing@${id}.test`,
    });
    const customer = tenant.stripeCustomerId!;
    const { sessionId } = await h.bus.request(BillingSubject.CreateCheckout, {
      actor: owner(),
      tenantId: id,
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'checkout',
    });
    await h.completeCheckout(sessionId);
    await h.settle(customer);
    expect(await state(id)).toMatchObject({ paymentMethod: { brand: 'visa', last4: '4242' } });
    const cards = await h.stripe.paymentMethods.list({ customer, type: 'card' });
    expect(cards.data).toHaveLength(1);
    return { customer, pm: cards.data[0].id };
  }

  const removals = async (tenantId: string) =>
    (await h.bus.request(BillingSubject.ListAudit, { tenantId, limit: 100 })).data.filter(
      (a) => a.action === 'payment_method.removed',
    );

  it('clears the card when payment_method.detached arrives (the customer only in previous_attributes)', async () => {
    const { customer, pm } = await withCard('detached');
    await h.stripe.paymentMethods.detach(pm);
    const events = await h.newEventsOf(customer);
    const detached = events.filter((e) => e.type === 'payment_method.detached');
    expect(detached).toHaveLength(1);
    expect(detached[0].data.object).toMatchObject({ id: pm, customer: null });
    // Only the detach event: it alone must clear the card.
    await h.publish(detached);
    await eventually(() => h.processed(detached.map((e) => e.id)), { what: 'detach processed' });
    expect(await state('detached')).toMatchObject({ paymentMethod: null });
    expect(await removals('detached')).toMatchObject([
      { actor: { type: 'stripe', id: detached[0].id }, before: { brand: 'visa', last4: '4242' } },
    ]);

    // The customer.updated that unset the default then finds nothing left to clear.
    await h.settle(customer);
    expect(await state('detached')).toMatchObject({ paymentMethod: null });
    expect(await removals('detached')).toHaveLength(1);
  }, 60_000);

  it('clears the card when customer.updated unsets the default payment method that was shown', async () => {
    const { customer, pm } = await withCard('unset');
    const other = await withCard('unset-other');
    await h.stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm } });
    await h.settle(customer);
    await h.stripe.paymentMethods.detach(pm);
    const events = await h.newEventsOf(customer);
    const updated = events.filter((e) => e.type === 'customer.updated');
    expect(updated.at(-1)!.data.object).toMatchObject({ invoice_settings: { default_payment_method: null } });
    await h.publish(updated);
    await eventually(() => h.processed(updated.map((e) => e.id)), { what: 'customer.updated processed' });
    expect(await state('unset')).toMatchObject({ paymentMethod: null });
    expect(await removals('unset')).toHaveLength(1);
    await h.settle(customer);
    expect(await removals('unset')).toHaveLength(1);
    // Another tenant's card is untouched.
    expect(await state('unset-other')).toMatchObject({ paymentMethod: { brand: 'visa', last4: '4242' } });
    expect(other.customer).not.toBe(customer);
  }, 60_000);
});
