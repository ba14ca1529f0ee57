/**
 * Stripe subscription → the row billing keeps. Pure: the plan and seat prices are recognised through the
 * catalog (by lookup_key, or by a known price id when Stripe's payload omits the key).
 */
import type Stripe from 'stripe';
import type { Interval, PlanId, SubscriptionState } from '@tollgate/contracts';
import { stateFromStripe } from './subscription-state.machine';

export type PriceRole =
  { kind: 'plan'; plan: PlanId; interval: Interval } | { kind: 'addon'; addon: string; interval: Interval };

export type PriceResolver = (price: { id: string; lookup_key: string | null }) => PriceRole | null;

export interface SubscriptionSnapshot {
  stripeSubscriptionId: string;
  stripeCustomerId: string;
  tenantIdFromMetadata: string | null;
  plan: PlanId;
  interval: Interval;
  stripeStatus: string;
  state: SubscriptionState;
  purchasedSeats: number;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  cancelAt: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
  defaultPaymentMethodId: string | null;
  latestInvoiceId: string | null;
}

export const fromUnix = (seconds: number | null | undefined): Date | null =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;

export const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

export class UnknownPriceError extends Error {
  constructor(subscriptionId: string) {
    super(`subscription ${subscriptionId} has no item on a catalog plan price`);
    this.name = 'UnknownPriceError';
  }
}

export function subscriptionSnapshot(
  subscription: Stripe.Subscription,
  resolve: PriceResolver,
): SubscriptionSnapshot {
  let plan: { plan: PlanId; interval: Interval } | null = null;
  let purchasedSeats = 0;
  let periodStart: number | null = null;
  let periodEnd: number | null = null;
  for (const item of subscription.items.data) {
    const role = resolve({ id: item.price.id, lookup_key: item.price.lookup_key });
    if (role?.kind === 'plan') {
      plan = { plan: role.plan, interval: role.interval };
      periodStart = item.current_period_start ?? null;
      periodEnd = item.current_period_end ?? null;
    } else if (role?.kind === 'addon' && role.addon === 'seat') purchasedSeats += item.quantity ?? 0;
  }
  if (!plan) throw new UnknownPriceError(subscription.id);
  const facts = {
    status: subscription.status,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    cancelAt: fromUnix(subscription.cancel_at),
    endedAt: fromUnix(subscription.ended_at),
    currentPeriodEnd: fromUnix(periodEnd),
    trialEnd: fromUnix(subscription.trial_end),
  };
  return {
    stripeSubscriptionId: subscription.id,
    stripeCustomerId: idOf(subscription.customer)!,
    tenantIdFromMetadata: subscription.metadata?.tenant_id ?? null,
    plan: plan.plan,
    interval: plan.interval,
    stripeStatus: subscription.status,
    state: stateFromStripe(facts),
    purchasedSeats,
    currentPeriodStart: fromUnix(periodStart),
    currentPeriodEnd: facts.currentPeriodEnd,
    trialEnd: facts.trialEnd,
    cancelAt: facts.cancelAt,
    cancelAtPeriodEnd: facts.cancelAtPeriodEnd,
    canceledAt: fromUnix(subscription.canceled_at),
    endedAt: facts.endedAt,
    defaultPaymentMethodId: idOf(subscription.default_payment_method),
    latestInvoiceId: idOf(subscription.latest_invoice),
  };
}
