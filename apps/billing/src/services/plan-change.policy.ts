/**
 * Plan-change rules (compute step, pure; the preview and the change run the same function):
 * - upgrade (a dearer plan): applies now; Stripe prorates and invoices at once (proration_behavior
 *   always_invoice) and the change only happens if that invoice is paid (payment_behavior
 *   pending_if_incomplete: a declined card leaves the subscription as it was). Allowed while past_due.
 * - downgrade (a cheaper plan): Stripe's items change now with always_invoice, so the credit for unused time
 *   is Stripe's own (a negative invoice becomes customer credit, applied to the next invoices); the plan paid
 *   for stays in force until the period end (a hold, shown as pendingChange). Refused with seats_in_use while
 *   more members than the new plan's seats exist.
 * - interval change (monthly ↔ annual, same plan): now; Stripe restarts the cycle and invoices at once.
 * - seats (same plan and interval): more seats are prorated and charged now; fewer seats are credited on the
 *   next invoice (create_prorations).
 * - during a trial nothing is charged, so every change applies now.
 * Seats default to what the new plan includes or the seats in use if more; a downgrade defaults to what the
 * new plan includes, so members beyond it must be removed (or extra seats asked for) first.
 */
import type Stripe from 'stripe';
import {
  DomainError,
  ErrorCode,
  type ChangePreview,
  type Interval,
  type Member,
  type PlanId,
} from '@tollgate/contracts';
import type { Catalog } from '@tollgate/catalog';
import type { CatalogPrices } from './catalog-sync.service';
import { fromUnix, type PriceResolver } from './stripe-subscription.transform';

export type ChangeKind = ChangePreview['kind'];

/** What the Stripe subscription bills now (its items), as the change needs it. */
export interface CurrentItems {
  subscriptionId: string;
  plan: PlanId;
  interval: Interval;
  purchasedSeats: number;
  planItemId: string;
  seatItemId: string | null;
  trialing: boolean;
  currentPeriodEnd: Date;
}

export interface StripeItemChange {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
}

export interface PlannedChange {
  kind: ChangeKind;
  plan: PlanId;
  interval: Interval;
  /** Total seats after the change (included + purchased). */
  seats: number;
  purchasedSeats: number;
  items: StripeItemChange[];
  prorationBehavior: 'always_invoice' | 'create_prorations';
  /** When the new plan's entitlements take effect. */
  timing: 'now' | 'period_end';
  /** Whether Stripe invoices the change at once (else its prorations wait for the next invoice). */
  invoicesNow: boolean;
}

export function currentItemsOf(subscription: Stripe.Subscription, resolve: PriceResolver): CurrentItems {
  let plan: { plan: PlanId; interval: Interval; itemId: string; periodEnd: number } | null = null;
  let seat: { itemId: string; quantity: number } | null = null;
  for (const item of subscription.items.data) {
    const role = resolve({ id: item.price.id, lookup_key: item.price.lookup_key });
    if (role?.kind === 'plan')
      plan = {
        plan: role.plan,
        interval: role.interval,
        itemId: item.id,
        periodEnd: item.current_period_end,
      };
    else if (role?.kind === 'addon' && role.addon === 'seat')
      seat = { itemId: item.id, quantity: item.quantity ?? 0 };
  }
  if (!plan) throw new DomainError(ErrorCode.Conflict, 'the subscription has no plan item Tollgate knows');
  return {
    subscriptionId: subscription.id,
    plan: plan.plan,
    interval: plan.interval,
    purchasedSeats: seat?.quantity ?? 0,
    planItemId: plan.itemId,
    seatItemId: seat?.itemId ?? null,
    trialing: subscription.status === 'trialing',
    currentPeriodEnd: fromUnix(plan.periodEnd)!,
  };
}

/** Plans ordered by their monthly price: a dearer plan is an upgrade. */
export function planRank(catalog: Catalog, plan: PlanId): number {
  return catalog.plans[plan].prices.month?.amount ?? 0;
}

/** The Stripe items that bill `plan`/`interval` with `purchasedSeats` extra seats, from `current`. */
export function itemsFor(
  prices: CatalogPrices,
  current: Pick<CurrentItems, 'planItemId' | 'seatItemId'>,
  plan: PlanId,
  interval: Interval,
  purchasedSeats: number,
): StripeItemChange[] {
  const planPrice = prices.planPrice(plan, interval);
  if (!planPrice)
    throw new DomainError(ErrorCode.UpstreamUnavailable, `no Stripe price for ${plan}/${interval}`);
  const items: StripeItemChange[] = [{ id: current.planItemId, price: planPrice }];
  if (purchasedSeats > 0 || current.seatItemId) {
    const seatPrice = prices.seatPrice(interval);
    if (!seatPrice)
      throw new DomainError(ErrorCode.UpstreamUnavailable, `no Stripe price for extra seats/${interval}`);
    if (purchasedSeats === 0) items.push({ id: current.seatItemId!, deleted: true });
    else if (current.seatItemId)
      items.push({ id: current.seatItemId, price: seatPrice, quantity: purchasedSeats });
    else items.push({ price: seatPrice, quantity: purchasedSeats });
  }
  return items;
}

export function seatsInUseError(members: Member[], seatsAfter: number): DomainError {
  const excess = members.length - seatsAfter;
  return new DomainError(
    ErrorCode.SeatsInUse,
    `${members.length} members use seats but the change leaves ${seatsAfter}: remove ${excess} member(s) first`,
    {
      seatsInUse: members.length,
      seatsAfterChange: seatsAfter,
      removeAtLeast: excess,
      members: members.map((m) => ({ userId: m.userId, email: m.email })),
    },
  );
}

/** The change from `current` to `target`, or null when the target is what Stripe already bills. */
export function planChange(
  catalog: Catalog,
  prices: CatalogPrices,
  current: CurrentItems,
  target: { plan: PlanId; interval: Interval; seats?: number },
  members: Member[],
): PlannedChange | null {
  const next = catalog.plans[target.plan];
  if (next.baseline)
    throw new DomainError(ErrorCode.ValidationFailed, `to move to ${next.name}, cancel the subscription`, {
      fields: { plan: ['not a paid plan'] },
    });
  const rankDelta = planRank(catalog, target.plan) - planRank(catalog, current.plan);
  const samePlan = target.plan === current.plan;
  const currentSeats = catalog.plans[current.plan].includedSeats + current.purchasedSeats;
  const used = members.length;
  const seats =
    target.seats ??
    (samePlan ? currentSeats : rankDelta < 0 ? next.includedSeats : Math.max(next.includedSeats, used));
  if (seats < next.includedSeats)
    throw new DomainError(ErrorCode.ValidationFailed, `${next.name} includes ${next.includedSeats} seats`, {
      fields: { seats: [`at least ${next.includedSeats}`] },
    });
  const purchasedSeats = seats - next.includedSeats;

  let kind: ChangeKind;
  if (rankDelta > 0) kind = 'upgrade';
  else if (rankDelta < 0) kind = 'downgrade';
  else if (target.interval !== current.interval) kind = 'interval_change';
  else if (purchasedSeats !== current.purchasedSeats) kind = 'seats';
  else return null;
  if (used > seats) throw seatsInUseError(members, seats);

  const fewerSeatsOnly = kind === 'seats' && purchasedSeats < current.purchasedSeats;
  const prorationBehavior = fewerSeatsOnly ? 'create_prorations' : 'always_invoice';
  return {
    kind,
    plan: target.plan,
    interval: target.interval,
    seats,
    purchasedSeats,
    items: itemsFor(prices, current, target.plan, target.interval, purchasedSeats),
    prorationBehavior,
    timing: kind === 'downgrade' && !current.trialing ? 'period_end' : 'now',
    invoicesNow: !current.trialing && prorationBehavior === 'always_invoice',
  };
}

/**
 * Seats for members: a member beyond the seats the subscription bills buys one more seat (charged now,
 * prorated); removing a member who sat on a purchased seat gives that seat back (credited on the next
 * invoice). Null when the seats billed need not change.
 */
export function seatChangeForMembers(
  catalog: Catalog,
  prices: CatalogPrices,
  current: CurrentItems,
  usedBefore: number,
  usedAfter: number,
): {
  purchasedSeats: number;
  items: StripeItemChange[];
  prorationBehavior: PlannedChange['prorationBehavior'];
} | null {
  const included = catalog.plans[current.plan].includedSeats;
  let purchasedSeats = current.purchasedSeats;
  if (usedAfter > usedBefore && usedAfter > included + purchasedSeats) purchasedSeats = usedAfter - included;
  else if (usedAfter < usedBefore && usedBefore > included && purchasedSeats > 0)
    purchasedSeats = Math.max(0, purchasedSeats - (usedBefore - usedAfter));
  if (purchasedSeats === current.purchasedSeats) return null;
  return {
    purchasedSeats,
    items: itemsFor(prices, current, current.plan, current.interval, purchasedSeats),
    prorationBehavior: purchasedSeats > current.purchasedSeats ? 'always_invoice' : 'create_prorations',
  };
}

/** Whether Stripe bills what a recorded change asked for (its call landed, even if billing never heard back). */
export function billsTarget(
  billed: Pick<CurrentItems, 'plan' | 'interval' | 'purchasedSeats'>,
  target: Pick<CurrentItems, 'plan' | 'interval' | 'purchasedSeats'>,
): boolean {
  return (
    billed.plan === target.plan &&
    billed.interval === target.interval &&
    billed.purchasedSeats === target.purchasedSeats
  );
}
