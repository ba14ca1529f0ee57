import { loadCatalog } from '@tollgate/catalog';
import { ErrorCode, type Member } from '@tollgate/contracts';
import { CatalogPrices } from './catalog-sync.service';
import { billsTarget, planChange, seatChangeForMembers, type CurrentItems } from './plan-change.policy';

const catalog = loadCatalog();
const prices = new CatalogPrices(catalog);
prices.load(
  ['pro_month', 'pro_year', 'business_month', 'business_year', 'seat_month', 'seat_year'].map((k) => ({
    lookupKey: `tollgate_${k}`,
    stripePriceId: `price_${k}`,
  })),
);
const periodEnd = new Date('2026-02-01T00:00:00Z');
const current = (overrides: Partial<CurrentItems> = {}): CurrentItems => ({
  subscriptionId: 'sub_1',
  plan: 'pro',
  interval: 'month',
  purchasedSeats: 0,
  planItemId: 'si_plan',
  seatItemId: null,
  trialing: false,
  currentPeriodEnd: periodEnd,
  ...overrides,
});
const members = (n: number): Member[] =>
  Array.from({ length: n }, (_, i) => ({ userId: `u${i + 1}`, email: `u${i + 1}@x.test`, addedAt: '' }));

describe('planChange', () => {
  it('upgrades now, invoiced and charged at once', () => {
    expect(
      planChange(catalog, prices, current(), { plan: 'business', interval: 'month' }, members(3)),
    ).toEqual({
      kind: 'upgrade',
      plan: 'business',
      interval: 'month',
      seats: 25,
      purchasedSeats: 0,
      items: [{ id: 'si_plan', price: 'price_business_month' }],
      prorationBehavior: 'always_invoice',
      timing: 'now',
      invoicesNow: true,
    });
  });

  it('bills a downgrade now (Stripe credits the unused time) and keeps the plan in force to the period end', () => {
    const change = planChange(
      catalog,
      prices,
      current({ plan: 'business', purchasedSeats: 2, seatItemId: 'si_seat' }),
      { plan: 'pro', interval: 'month' },
      members(4),
    );
    expect(change).toMatchObject({
      kind: 'downgrade',
      seats: 5,
      purchasedSeats: 0,
      items: [
        { id: 'si_plan', price: 'price_pro_month' },
        { id: 'si_seat', deleted: true },
      ],
      prorationBehavior: 'always_invoice',
      timing: 'period_end',
    });
  });

  it('refuses a downgrade below the seats in use with the members to choose from', () => {
    let error: unknown;
    try {
      planChange(
        catalog,
        prices,
        current({ plan: 'business' }),
        { plan: 'pro', interval: 'month' },
        members(7),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: ErrorCode.SeatsInUse,
      details: { seatsInUse: 7, seatsAfterChange: 5, removeAtLeast: 2, members: expect.any(Array) },
    });
    expect((error as { details: { members: unknown[] } }).details.members).toHaveLength(7);
    // With extra seats asked for explicitly, the same downgrade is fine.
    expect(
      planChange(
        catalog,
        prices,
        current({ plan: 'business' }),
        { plan: 'pro', interval: 'month', seats: 7 },
        members(7),
      ),
    ).toMatchObject({
      kind: 'downgrade',
      purchasedSeats: 2,
      items: [{}, { price: 'price_seat_month', quantity: 2 }],
    });
  });

  it('changes the interval now and moves the seat add-on to the same interval', () => {
    expect(
      planChange(
        catalog,
        prices,
        current({ purchasedSeats: 1, seatItemId: 'si_seat' }),
        { plan: 'pro', interval: 'year' },
        members(6),
      ),
    ).toMatchObject({
      kind: 'interval_change',
      seats: 6,
      items: [
        { id: 'si_plan', price: 'price_pro_year' },
        { id: 'si_seat', price: 'price_seat_year', quantity: 1 },
      ],
      timing: 'now',
      invoicesNow: true,
    });
  });

  it('charges more seats now and credits fewer seats on the next invoice', () => {
    expect(
      planChange(catalog, prices, current(), { plan: 'pro', interval: 'month', seats: 8 }, members(2)),
    ).toMatchObject({
      kind: 'seats',
      purchasedSeats: 3,
      prorationBehavior: 'always_invoice',
      invoicesNow: true,
    });
    expect(
      planChange(
        catalog,
        prices,
        current({ purchasedSeats: 3, seatItemId: 'si_seat' }),
        { plan: 'pro', interval: 'month', seats: 6 },
        members(2),
      ),
    ).toMatchObject({
      kind: 'seats',
      purchasedSeats: 1,
      prorationBehavior: 'create_prorations',
      invoicesNow: false,
    });
  });

  it('answers null for what Stripe already bills, and applies everything now during a trial', () => {
    expect(planChange(catalog, prices, current(), { plan: 'pro', interval: 'month' }, members(1))).toBeNull();
    expect(
      planChange(
        catalog,
        prices,
        current({ plan: 'business', trialing: true }),
        { plan: 'pro', interval: 'month' },
        [],
      ),
    ).toMatchObject({ kind: 'downgrade', timing: 'now', invoicesNow: false });
  });

  it('refuses Free (that is a cancellation) and fewer seats than the plan includes', () => {
    expect(() => planChange(catalog, prices, current(), { plan: 'free', interval: 'month' }, [])).toThrow(
      expect.objectContaining({ code: ErrorCode.ValidationFailed }),
    );
    expect(() =>
      planChange(catalog, prices, current(), { plan: 'business', interval: 'month', seats: 3 }, []),
    ).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
  });
});

describe('seatChangeForMembers', () => {
  it('buys a seat for a member beyond what is billed, and gives one back when such a member leaves', () => {
    expect(seatChangeForMembers(catalog, prices, current(), 4, 5)).toBeNull();
    expect(seatChangeForMembers(catalog, prices, current(), 5, 6)).toEqual({
      purchasedSeats: 1,
      items: [
        { id: 'si_plan', price: 'price_pro_month' },
        { price: 'price_seat_month', quantity: 1 },
      ],
      prorationBehavior: 'always_invoice',
    });
    const withSeat = current({ purchasedSeats: 1, seatItemId: 'si_seat' });
    expect(seatChangeForMembers(catalog, prices, withSeat, 6, 5)).toEqual({
      purchasedSeats: 0,
      items: [
        { id: 'si_plan', price: 'price_pro_month' },
        { id: 'si_seat', deleted: true },
      ],
      prorationBehavior: 'create_prorations',
    });
    expect(seatChangeForMembers(catalog, prices, withSeat, 5, 4)).toBeNull();
  });
});

describe('billsTarget', () => {
  const target = { plan: 'pro' as const, interval: 'month' as const, purchasedSeats: 0 };
  it('finishes a recorded change only when Stripe bills its plan, interval and seats', () => {
    expect(billsTarget({ ...target }, target)).toBe(true);
    expect(billsTarget({ ...target, plan: 'business' }, target)).toBe(false);
    expect(billsTarget({ ...target, interval: 'year' }, target)).toBe(false);
    expect(billsTarget({ ...target, purchasedSeats: 1 }, target)).toBe(false);
  });
});
