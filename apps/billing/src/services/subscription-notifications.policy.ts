/**
 * Which emails a subscription change asks for (pure). Each carries a `cause` that is the same however often
 * the change is observed (redeliveries, refetches), so notifications sends one email per (tenant, kind, cause).
 * Payment trouble (payment_failed ... suspended, reactivated) is the dunning ladder's, not this module's.
 */
import type { NotificationKind, SubscriptionState } from '@tollgate/contracts';

export interface NotificationIntent {
  kind: NotificationKind;
  cause: string;
  data: Record<string, string | number | boolean | null>;
}

export interface SubscriptionChange {
  subscriptionId: string;
  from: SubscriptionState;
  to: SubscriptionState;
  plan: string;
  interval: string;
  previousPlan: string | null;
  previousInterval: string | null;
  trialEnd: Date | null;
  cancelAt: Date | null;
  currentPeriodEnd: Date | null;
  eventId: string;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function notificationsFor(change: SubscriptionChange): NotificationIntent[] {
  const out: NotificationIntent[] = [];
  const base = { plan: change.plan, interval: change.interval };
  const id = change.subscriptionId;
  if (change.from !== change.to) {
    switch (change.to) {
      case 'trialing':
        if (change.from === 'none')
          out.push({
            kind: 'trial_started',
            cause: `sub:${id}:trial_started`,
            data: { ...base, trialEndsAt: iso(change.trialEnd) },
          });
        break;
      case 'canceled_pending': {
        const at = change.cancelAt ?? change.currentPeriodEnd;
        out.push({
          kind: 'canceled',
          // Per cancellation (the Stripe event or the command that made it): cancel → resume → cancel for the
          // same period end is two emails.
          cause: `sub:${id}:cancel_scheduled:${change.eventId}`,
          data: { ...base, immediate: false, accessUntil: iso(at) },
        });
        break;
      }
      case 'canceled':
        out.push({
          kind: 'canceled',
          cause: `sub:${id}:canceled`,
          data: { ...base, immediate: true, accessUntil: null },
        });
        break;
      case 'expired':
        out.push({
          kind: 'canceled',
          cause: `sub:${id}:expired`,
          data: { ...base, immediate: false, expired: true },
        });
        break;
      case 'none':
      case 'active':
      case 'past_due':
      case 'suspended':
        // Payment trouble and recovery are mailed by the dunning ladder (dunning-ladder.policy.ts).
        break;
    }
  }
  const planChanged =
    change.previousPlan !== null &&
    (change.previousPlan !== change.plan || change.previousInterval !== change.interval);
  if (planChanged)
    out.push({
      kind: 'plan_changed',
      cause: `sub:${id}:plan:${change.eventId}`,
      data: { ...base, previousPlan: change.previousPlan, previousInterval: change.previousInterval },
    });
  return out;
}
