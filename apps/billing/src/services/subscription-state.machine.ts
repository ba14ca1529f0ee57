/**
 * Tollgate's subscription state machine (seed 004), pure: no I/O, no clock.
 *
 * Stripe status → Tollgate state (`stateFromStripe`):
 *   trialing                                  → trialing (canceled_pending if a cancellation is scheduled)
 *   active                                    → active   (canceled_pending if cancel_at_period_end / cancel_at)
 *   past_due                                  → past_due (payment trouble outranks a scheduled cancellation)
 *   unpaid                                    → suspended (Stripe's retries are exhausted: grace period over)
 *   paused                                    → expired  (trial ended without a payment method)
 *   canceled, at period end or trial end      → expired
 *   canceled, any other time                  → canceled (immediate cancellation)
 *   incomplete, incomplete_expired            → none     (never paid: no access was ever granted)
 *
 * Transitions (`TRANSITIONS`), the seed's table plus what Stripe itself can do (marked +):
 *   none → trialing | active | past_due | canceled
 *   trialing → active | expired | past_due(+ first charge at trial end fails) | canceled_pending(+) | canceled
 *   active → past_due | canceled_pending | canceled
 *   past_due → active | suspended | canceled
 *   suspended → active | canceled
 *   canceled_pending → expired | active (resume) | trialing(+ resume during a trial) | canceled
 *   expired, canceled: terminal for that Stripe subscription (a new subscription starts again from none).
 * A jump over ONE missed intermediate state (an event we never saw, or that the out-of-order guard collapsed,
 * e.g. active → expired via canceled_pending) is accepted and reported with its path; anything else is refused.
 */
import type { SubscriptionState } from '@tollgate/contracts';

export const TRANSITIONS: Readonly<Record<SubscriptionState, readonly SubscriptionState[]>> = {
  none: ['trialing', 'active', 'past_due', 'canceled'],
  trialing: ['active', 'expired', 'past_due', 'canceled_pending', 'canceled'],
  active: ['past_due', 'canceled_pending', 'canceled'],
  past_due: ['active', 'suspended', 'canceled'],
  suspended: ['active', 'canceled'],
  canceled_pending: ['expired', 'active', 'trialing', 'canceled'],
  expired: [],
  canceled: [],
};

/** States in which a tenant holds a live subscription (at most one per tenant, enforced by Postgres). */
export const LIVE_STATES: readonly SubscriptionState[] = [
  'trialing',
  'active',
  'past_due',
  'suspended',
  'canceled_pending',
];

export function isLive(state: SubscriptionState): boolean {
  return LIVE_STATES.includes(state);
}

/** The parts of a Stripe subscription the mapping looks at. */
export interface StripeSubscriptionFacts {
  status: string;
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  endedAt: Date | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
}

export function stateFromStripe(facts: StripeSubscriptionFacts): SubscriptionState {
  const cancellationScheduled = facts.cancelAtPeriodEnd || facts.cancelAt !== null;
  switch (facts.status) {
    case 'trialing':
    case 'active':
      if (cancellationScheduled) return 'canceled_pending';
      return facts.status;
    case 'past_due':
      return 'past_due';
    case 'unpaid':
      return 'suspended';
    case 'paused':
      return 'expired';
    case 'canceled':
      return endedOnSchedule(facts) ? 'expired' : 'canceled';
    default:
      return 'none';
  }
}

/** A cancellation that took effect at the end of the paid period or of the trial is an expiry, not a cancel. */
function endedOnSchedule(facts: StripeSubscriptionFacts): boolean {
  const ended = facts.endedAt?.getTime();
  if (ended === undefined) return false;
  const atOrAfter = (boundary: Date | null): boolean =>
    boundary !== null && ended >= boundary.getTime() - 1000;
  if (facts.cancelAtPeriodEnd && atOrAfter(facts.currentPeriodEnd)) return true;
  if (facts.cancelAt !== null && ended >= facts.cancelAt.getTime() - 1000) return true;
  return atOrAfter(facts.trialEnd) && facts.trialEnd !== null && ended - facts.trialEnd.getTime() < 60_000;
}

export type TransitionResult =
  | { kind: 'unchanged'; state: SubscriptionState }
  | { kind: 'applied'; from: SubscriptionState; to: SubscriptionState; path: SubscriptionState[] }
  | { kind: 'refused'; from: SubscriptionState; to: SubscriptionState; reason: string };

/** Shortest legal path from → to (breadth-first over TRANSITIONS), both ends included; null if none. */
export function legalPath(from: SubscriptionState, to: SubscriptionState): SubscriptionState[] | null {
  const previous = new Map<SubscriptionState, SubscriptionState | null>([[from, null]]);
  const queue: SubscriptionState[] = [from];
  while (queue.length > 0) {
    const state = queue.shift()!;
    if (state === to) {
      const path: SubscriptionState[] = [];
      for (let s: SubscriptionState | null = to; s !== null; s = previous.get(s) ?? null) path.unshift(s);
      return path;
    }
    for (const next of TRANSITIONS[state])
      if (!previous.has(next)) {
        previous.set(next, state);
        queue.push(next);
      }
  }
  return null;
}

/** At most one state may be skipped when jumping (see the header). */
const MAX_STEPS = 2;

export function transition(from: SubscriptionState, to: SubscriptionState): TransitionResult {
  if (from === to) return { kind: 'unchanged', state: from };
  const path = legalPath(from, to);
  if (!path || path.length - 1 > MAX_STEPS)
    return { kind: 'refused', from, to, reason: `no legal path from ${from} to ${to}` };
  return { kind: 'applied', from, to, path };
}
