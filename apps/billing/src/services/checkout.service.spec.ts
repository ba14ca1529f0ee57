import { DomainError, ErrorCode } from '@tollgate/contracts';
import { loadCatalog } from '@tollgate/catalog';
import { CatalogPrices } from './catalog-sync.service';
import { planCheckout } from './checkout.service';

const prices = new CatalogPrices(loadCatalog());
prices.load([
  { lookupKey: 'tollgate_pro_month', stripePriceId: 'price_pro_m' },
  { lookupKey: 'tollgate_business_year', stripePriceId: 'price_biz_y' },
  { lookupKey: 'tollgate_seat_month', stripePriceId: 'price_seat_m' },
]);

describe('planCheckout', () => {
  it('offers the 14-day trial to a first subscription with the included seats', () => {
    expect(planCheckout(prices, { plan: 'pro', interval: 'month' }, false)).toEqual({
      plan: 'pro',
      interval: 'month',
      seats: 5,
      lineItems: [{ price: 'price_pro_m', quantity: 1 }],
      trialDays: 14,
    });
  });

  it('adds extra seats as a second line on the seat price and skips the trial for a returning tenant', () => {
    expect(planCheckout(prices, { plan: 'pro', interval: 'month', seats: 8 }, true)).toMatchObject({
      seats: 8,
      lineItems: [
        { price: 'price_pro_m', quantity: 1 },
        { price: 'price_seat_m', quantity: 3 },
      ],
      trialDays: 0,
    });
  });

  it('refuses fewer seats than the plan includes, and the free plan', () => {
    const fewer = () => planCheckout(prices, { plan: 'pro', interval: 'month', seats: 2 }, false);
    expect(fewer).toThrow(DomainError);
    expect(fewer).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
    expect(() => planCheckout(prices, { plan: 'free', interval: 'month' }, false)).toThrow(
      expect.objectContaining({ code: ErrorCode.ValidationFailed }),
    );
  });

  it('reports a price that was never synced as upstream_unavailable', () => {
    expect(() => planCheckout(prices, { plan: 'business', interval: 'month' }, false)).toThrow(
      expect.objectContaining({ code: ErrorCode.UpstreamUnavailable }),
    );
    expect(() => planCheckout(prices, { plan: 'business', interval: 'year', seats: 30 }, false)).toThrow(
      expect.objectContaining({ code: ErrorCode.UpstreamUnavailable }),
    );
  });
});
