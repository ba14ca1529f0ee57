import type Stripe from 'stripe';
import { loadCatalog } from '@tollgate/catalog';
import { CatalogPrices } from './catalog-sync.service';
import { subscriptionSnapshot, UnknownPriceError } from './stripe-subscription.transform';

const prices = new CatalogPrices(loadCatalog());
prices.load([{ lookupKey: 'tollgate_pro_month', stripePriceId: 'price_old_pro' }]);

const item = (lookupKey: string | null, quantity = 1, id = `price_${lookupKey}`) => ({
  id: `si_${lookupKey}`,
  quantity,
  current_period_start: 1_767_225_600,
  current_period_end: 1_769_904_000,
  price: { id, lookup_key: lookupKey },
});

const subscription = (overrides: Partial<Record<string, unknown>> = {}): Stripe.Subscription =>
  ({
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status: 'active',
    metadata: { tenant_id: 'acme' },
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    trial_end: null,
    default_payment_method: 'pm_1',
    latest_invoice: { id: 'in_1' },
    items: { data: [item('tollgate_pro_month')] },
    ...overrides,
  }) as unknown as Stripe.Subscription;

describe('subscriptionSnapshot', () => {
  it('maps plan, interval, period and state from the plan item', () => {
    expect(subscriptionSnapshot(subscription(), prices.resolve)).toEqual({
      stripeSubscriptionId: 'sub_1',
      stripeCustomerId: 'cus_1',
      tenantIdFromMetadata: 'acme',
      plan: 'pro',
      interval: 'month',
      stripeStatus: 'active',
      state: 'active',
      purchasedSeats: 0,
      currentPeriodStart: new Date('2026-01-01T00:00:00Z'),
      currentPeriodEnd: new Date('2026-02-01T00:00:00Z'),
      trialEnd: null,
      cancelAt: null,
      cancelAtPeriodEnd: false,
      canceledAt: null,
      endedAt: null,
      defaultPaymentMethodId: 'pm_1',
      latestInvoiceId: 'in_1',
    });
  });

  it('counts extra seats from the seat add-on item', () => {
    const snap = subscriptionSnapshot(
      subscription({ items: { data: [item('tollgate_business_year'), item('tollgate_seat_year', 7)] } }),
      prices.resolve,
    );
    expect(snap).toMatchObject({ plan: 'business', interval: 'year', purchasedSeats: 7 });
  });

  it('recognises a price that lost its lookup key by its id', () => {
    const snap = subscriptionSnapshot(
      subscription({ items: { data: [item(null, 1, 'price_old_pro')] } }),
      prices.resolve,
    );
    expect(snap.plan).toBe('pro');
  });

  it('refuses a subscription with no catalog plan price', () => {
    expect(() =>
      subscriptionSnapshot(subscription({ items: { data: [item('someone_else')] } }), prices.resolve),
    ).toThrow(UnknownPriceError);
  });

  it('derives trialing and a scheduled cancellation', () => {
    expect(
      subscriptionSnapshot(subscription({ status: 'trialing', trial_end: 1_768_435_200 }), prices.resolve),
    ).toMatchObject({
      state: 'trialing',
      trialEnd: new Date('2026-01-15T00:00:00Z'),
    });
    expect(subscriptionSnapshot(subscription({ cancel_at_period_end: true }), prices.resolve).state).toBe(
      'canceled_pending',
    );
  });
});
