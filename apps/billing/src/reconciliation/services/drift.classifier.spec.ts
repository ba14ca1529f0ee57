import type Stripe from 'stripe';
import type { PriceResolver } from '../../services/stripe-subscription.transform';
import {
  classifyCustomer,
  classifyInvoice,
  classifySubscription,
  viewSubscription,
  type LocalSubscription,
} from './drift.classifier';

const T0 = 1_767_225_600;
const resolve: PriceResolver = (p) =>
  p.lookup_key === 'tollgate_pro_month'
    ? { kind: 'plan', plan: 'pro', interval: 'month' }
    : p.lookup_key === 'tollgate_seat_month'
      ? { kind: 'addon', addon: 'seat', interval: 'month' }
      : null;

function subscription(overrides: Partial<Stripe.Subscription> = {}, lookupKey = 'tollgate_pro_month') {
  return {
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status: 'active',
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    trial_end: null,
    metadata: { tenant_id: 'acme' },
    default_payment_method: null,
    latest_invoice: null,
    items: {
      data: [
        {
          price: { id: 'price_pro', lookup_key: lookupKey },
          quantity: 1,
          current_period_start: T0,
          current_period_end: T0 + 30 * 86_400,
        },
      ],
    },
    ...overrides,
  } as unknown as Stripe.Subscription;
}

const local = (overrides: Partial<LocalSubscription> = {}): LocalSubscription => ({
  tenantId: 'acme',
  plan: 'pro',
  interval: 'month',
  stripeStatus: 'active',
  state: 'active',
  purchasedSeats: 0,
  currentPeriodStart: new Date(T0 * 1000),
  currentPeriodEnd: new Date((T0 + 30 * 86_400) * 1000),
  trialEnd: null,
  cancelAt: null,
  cancelAtPeriodEnd: false,
  canceledAt: null,
  endedAt: null,
  lastEventAt: new Date(T0 * 1000),
  ...overrides,
});

const observedAt = new Date((T0 + 3600) * 1000);
const classify = (
  sub: Stripe.Subscription,
  row: LocalSubscription | null,
  tenantId: string | null = 'acme',
) => classifySubscription({ view: viewSubscription(sub, resolve), tenantId, local: row, observedAt });

describe('classifySubscription', () => {
  it('finds nothing when Stripe and the row agree', () => {
    expect(classify(subscription(), local())).toBeNull();
  });

  it('calls active in Stripe but past_due here a safe status difference, naming both sides', () => {
    expect(classify(subscription(), local({ state: 'past_due', stripeStatus: 'past_due' }))).toEqual({
      kind: 'status_differs',
      safe: true,
      detail: {
        fields: {
          state: { local: 'past_due', stripe: 'active' },
          stripeStatus: { local: 'past_due', stripe: 'active' },
        },
      },
    });
  });

  it('ranks status over plan over period and lists every differing field', () => {
    const f = classify(subscription(), local({ plan: 'business', currentPeriodEnd: null }));
    expect(f?.kind).toBe('plan_differs');
    expect(Object.keys(f!.detail.fields as object)).toEqual(['plan', 'currentPeriodEnd']);
    expect(
      classify(subscription({ cancel_at_period_end: true }), local({ state: 'canceled_pending' })),
    ).toMatchObject({ kind: 'period_differs' });
  });

  it('calls a quantity difference a plan difference', () => {
    const sub = subscription();
    sub.items.data.push({
      price: { id: 'price_seat', lookup_key: 'tollgate_seat_month' },
      quantity: 3,
    } as unknown as Stripe.SubscriptionItem);
    expect(classify(sub, local())).toMatchObject({
      kind: 'plan_differs',
      detail: { fields: { purchasedSeats: { local: 0, stripe: 3 } } },
    });
  });

  it('reports a subscription missing here as safe, except one never paid', () => {
    expect(classify(subscription(), null)).toMatchObject({ kind: 'missing_locally', safe: true });
    expect(classify(subscription({ status: 'incomplete' }), null)).toBeNull();
  });

  it('leaves alone a row changed after the object was listed', () => {
    expect(
      classify(subscription(), local({ state: 'past_due', lastEventAt: new Date(observedAt.getTime() + 1) })),
    ).toBeNull();
  });

  it('reports unknown tenants and unknown prices for an operator', () => {
    expect(classify(subscription(), null, null)).toMatchObject({ kind: 'unknown_tenant', safe: false });
    expect(classify(subscription({}, 'someone_elses_price'), local())).toMatchObject({
      kind: 'unknown_price',
      safe: false,
    });
  });
});

describe('classifyCustomer', () => {
  const customer = (overrides: Partial<Stripe.Customer> = {}) =>
    ({
      id: 'cus_1',
      object: 'customer',
      balance: 0,
      metadata: { tenant_id: 'acme' },
      invoice_settings: { default_payment_method: null },
      ...overrides,
    }) as unknown as Stripe.Customer;
  const row = { tenantId: 'acme', creditBalance: 0, paymentMethodId: null };

  it('compares the credit balance (negative Stripe balance) and the default card', () => {
    expect(classifyCustomer({ customer: customer(), local: row })).toBeNull();
    expect(
      classifyCustomer({
        customer: customer({ balance: -500, invoice_settings: { default_payment_method: 'pm_1' } as never }),
        local: row,
      }),
    ).toEqual({
      kind: 'details_differ',
      safe: true,
      detail: {
        fields: {
          creditBalance: { local: 0, stripe: 500 },
          paymentMethodId: { local: null, stripe: 'pm_1' },
        },
      },
    });
  });

  it('reports a Tollgate customer no tenant holds, and ignores customers Tollgate did not create', () => {
    expect(classifyCustomer({ customer: customer(), local: null })).toMatchObject({
      kind: 'unknown_tenant',
      safe: false,
    });
    expect(classifyCustomer({ customer: customer({ metadata: {} }), local: null })).toBeNull();
  });
});

describe('classifyInvoice', () => {
  const invoice = (overrides: Partial<Stripe.Invoice> = {}) =>
    ({
      id: 'in_1',
      object: 'invoice',
      customer: 'cus_1',
      status: 'paid',
      currency: 'usd',
      total: 2900,
      amount_due: 2900,
      amount_paid: 2900,
      attempt_count: 1,
      created: T0,
      lines: { data: [] },
      ...overrides,
    }) as unknown as Stripe.Invoice;
  const row = {
    status: 'paid',
    total: 2900,
    amountDue: 2900,
    amountPaid: 2900,
    attemptCount: 1,
    lastEventAt: new Date(T0 * 1000),
  };

  it('finds status and amount differences, skips drafts, reports a missing invoice as safe', () => {
    expect(classifyInvoice({ invoice: invoice(), local: row, observedAt })).toBeNull();
    expect(
      classifyInvoice({ invoice: invoice(), local: { ...row, status: 'open', amountPaid: 0 }, observedAt }),
    ).toMatchObject({
      kind: 'status_differs',
      detail: {
        fields: { status: { local: 'open', stripe: 'paid' }, amountPaid: { local: 0, stripe: 2900 } },
      },
    });
    expect(classifyInvoice({ invoice: invoice({ status: 'draft' }), local: null, observedAt })).toBeNull();
    expect(classifyInvoice({ invoice: invoice(), local: null, observedAt })).toMatchObject({
      kind: 'missing_locally',
      safe: true,
    });
  });
});
