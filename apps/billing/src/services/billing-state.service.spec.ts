import { loadCatalog } from '@tollgate/catalog';
import { SubscriptionEntity, TenantEntity } from '../entities';
import { billingStateOf } from './billing-state.service';

const catalog = loadCatalog();
const tenant = (overrides: Partial<TenantEntity> = {}) =>
  Object.assign(new TenantEntity(), {
    id: 'acme',
    paymentMethodBrand: null,
    paymentMethodLast4: null,
    creditBalance: 0,
    ...overrides,
  });
const future = new Date(Date.now() + 10 * 86_400_000);
const subscription = (overrides: Partial<SubscriptionEntity> = {}) =>
  Object.assign(new SubscriptionEntity(), {
    plan: 'pro',
    interval: 'month',
    state: 'active',
    purchasedSeats: 2,
    currentPeriodEnd: future,
    trialEnd: null,
    cancelAt: null,
    dunningStage: 'none',
    dunningSince: null,
    nextRetryAt: null,
    lastEventAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });

describe('billingStateOf', () => {
  it('answers free/none for a tenant without a subscription', () => {
    expect(billingStateOf(catalog, tenant(), null, 1)).toEqual({
      tenantId: 'acme',
      plan: 'free',
      interval: null,
      status: 'none',
      renewsAt: null,
      cancelAt: null,
      trialEndsAt: null,
      seats: { used: 1, included: 1, purchased: 0 },
      paymentMethod: null,
      dunning: { stage: 'none', since: null, nextRetryAt: null },
      pendingChange: null,
      creditBalance: 0,
      currency: 'usd',
      syncedAt: null,
    });
  });

  it('shows an active subscription with seats, renewal and card brand + last 4 only', () => {
    const state = billingStateOf(
      catalog,
      tenant({ paymentMethodBrand: 'visa', paymentMethodLast4: '4242' }),
      subscription(),
      3,
    );
    expect(state).toMatchObject({
      plan: 'pro',
      interval: 'month',
      status: 'active',
      renewsAt: future.toISOString(),
      seats: { used: 3, included: 5, purchased: 2 },
      paymentMethod: { brand: 'visa', last4: '4242' },
      syncedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('dates syncedAt by when billing last wrote the subscription, not by Stripe time (a test clock stands still)', () => {
    const frozen = new Date('2027-01-01T00:00:00Z');
    const written = new Date('2026-11-21T10:00:00Z');
    expect(
      billingStateOf(catalog, tenant(), subscription({ lastEventAt: frozen, updatedAt: written }), 1)
        .syncedAt,
    ).toBe(written.toISOString());
  });

  it('shows a pending cancellation instead of a renewal, and the trial end while trialing', () => {
    expect(billingStateOf(catalog, tenant(), subscription({ state: 'canceled_pending' }), 1)).toMatchObject({
      renewsAt: null,
      cancelAt: future.toISOString(),
    });
    expect(
      billingStateOf(
        catalog,
        tenant(),
        subscription({ state: 'trialing', stripeStatus: 'trialing', trialEnd: future }),
        1,
      ),
    ).toMatchObject({
      status: 'trialing',
      trialEndsAt: future.toISOString(),
    });
  });

  it('reverts to the free plan once the subscription expired, keeping the status', () => {
    expect(billingStateOf(catalog, tenant(), subscription({ state: 'expired' }), 1)).toMatchObject({
      plan: 'free',
      interval: null,
      status: 'expired',
      seats: { used: 1, included: 1, purchased: 0 },
    });
  });

  it('reports the dunning stage while past due', () => {
    const since = new Date('2026-01-02T00:00:00Z');
    const retry = new Date('2026-01-05T00:00:00Z');
    expect(
      billingStateOf(
        catalog,
        tenant(),
        subscription({
          state: 'past_due',
          dunningStage: 'reminder',
          dunningSince: since,
          nextRetryAt: retry,
        }),
        1,
      ).dunning,
    ).toEqual({ stage: 'reminder', since: since.toISOString(), nextRetryAt: retry.toISOString() });
  });

  it('keeps the plan paid for in force during a pending downgrade, and shows what comes', () => {
    const until = new Date('2026-02-01T00:00:00Z');
    const state = billingStateOf(
      catalog,
      tenant({ creditBalance: 3500 }),
      subscription({
        plan: 'pro',
        purchasedSeats: 1,
        heldPlan: 'business',
        heldInterval: 'month',
        heldPurchasedSeats: 0,
        heldUntil: until,
      }),
      4,
    );
    expect(state).toMatchObject({
      plan: 'business',
      interval: 'month',
      seats: { used: 4, included: 25, purchased: 0 },
      pendingChange: { plan: 'pro', interval: 'month', seats: 6, effectiveAt: until.toISOString() },
      creditBalance: 3500,
    });
  });
});
