/**
 * A held plan: when a tenant downgrades, Stripe bills the new plan from the change on (its credit for the
 * unused time is Stripe's), while the plan paid for stays in force until the period end. The subscription row
 * mirrors Stripe's items (plan, interval, purchased_seats) and keeps the held plan beside them; everything that
 * grants access (GET /v1/billing, billing.subscription.changed.v1) reads `inForce`. The hold ends when Stripe's
 * time reaches `until` (a Stripe event or the scheduler, whichever comes first), or when the subscription ends.
 */
import type { Interval, PlanId } from '@tollgate/contracts';
import type { SubscriptionEntity } from '../entities';

/** The plan paid for, kept in force until `until` while Stripe already bills a downgrade. */
export interface Hold {
  plan: PlanId;
  interval: Interval;
  purchasedSeats: number;
  until: Date;
}

export function holdOf(row: SubscriptionEntity): Hold | null {
  return row.heldUntil && row.heldPlan && row.heldInterval && row.heldPurchasedSeats !== null
    ? {
        plan: row.heldPlan,
        interval: row.heldInterval,
        purchasedSeats: row.heldPurchasedSeats,
        until: row.heldUntil,
      }
    : null;
}

/** The plan, interval and purchased seats in force: a held plan while a downgrade waits, else Stripe's. */
export function inForce(row: SubscriptionEntity): {
  plan: PlanId;
  interval: Interval;
  purchasedSeats: number;
} {
  const hold = holdOf(row);
  return hold
    ? { plan: hold.plan, interval: hold.interval, purchasedSeats: hold.purchasedSeats }
    : { plan: row.plan, interval: row.interval, purchasedSeats: row.purchasedSeats };
}

export function setHold(row: SubscriptionEntity, hold: Hold | null): void {
  row.heldPlan = hold?.plan ?? null;
  row.heldInterval = hold?.interval ?? null;
  row.heldPurchasedSeats = hold?.purchasedSeats ?? null;
  row.heldUntil = hold?.until ?? null;
}
