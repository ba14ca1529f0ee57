export const ROLES = ['owner', 'admin', 'member', 'support', 'operator'] as const;
export type Role = (typeof ROLES)[number];
export const TENANT_ROLES = ['owner', 'admin', 'member', 'support'] as const;

export const PLAN_IDS = ['free', 'pro', 'business'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export const INTERVALS = ['month', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Tollgate's own subscription states (seed 004). Stripe's statuses map onto these in billing. */
export const SUBSCRIPTION_STATES = [
  'none',
  'trialing',
  'active',
  'past_due',
  'suspended',
  'canceled_pending',
  'expired',
  'canceled',
] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

export const DUNNING_STAGES = ['none', 'payment_failed', 'reminder', 'urgent', 'suspended'] as const;
export type DunningStage = (typeof DUNNING_STAGES)[number];

export const DECISION_REASONS = [
  'included',
  'within_limit',
  'soft_limit_exceeded',
  'hard_limit_exceeded',
  'not_in_plan',
  'suspended_read_only',
  'grace_period',
  'fail_safe_stale',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export const ENTITLEMENT_SOURCES = ['plan', 'override', 'baseline'] as const;
export type EntitlementSource = (typeof ENTITLEMENT_SOURCES)[number];

/** Who did something: a user through the gateway, Stripe through an event, or the system itself. */
export interface Actor {
  type: 'user' | 'stripe' | 'system' | 'operator';
  id: string;
  role?: Role;
}
