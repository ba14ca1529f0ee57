import type { Interval, PlanId } from '@tollgate/contracts';

export type FeatureType = 'boolean' | 'limit' | 'metered';
export type UsageWindow = 'billing_period' | 'day';

export interface FeatureDefinition {
  name: string;
  type: FeatureType;
  /** Metered features only: the window usage counts over, anchored to the billing period or the UTC day. */
  window?: UsageWindow;
  /** A mutating feature is denied with `suspended_read_only` while the tenant is suspended. */
  mutating: boolean;
  /** When the tenant's snapshot is older than its bound: refuse instead of granting (`fail_safe_stale`). */
  failClosed?: boolean;
  description: string;
}

export interface PlanFeature {
  enabled?: boolean;
  limit?: number;
  enforcement?: 'soft' | 'hard';
  /** Soft limits: flag a warning once usage passes this fraction of the limit. */
  warnAt?: number;
}

export interface CatalogPrice {
  /** Integer minor units of the catalog currency. */
  amount: number;
  lookupKey: string;
}

export interface PlanDefinition {
  id: PlanId;
  name: string;
  baseline?: boolean;
  includedSeats: number;
  trialDays: number;
  prices: Partial<Record<Interval, CatalogPrice>>;
  features: Record<string, PlanFeature>;
}

export interface AddonDefinition {
  id: string;
  name: string;
  feature: string;
  prices: Partial<Record<Interval, CatalogPrice>>;
}

export interface Catalog {
  version: string;
  currency: string;
  features: Record<string, FeatureDefinition>;
  plans: Record<PlanId, PlanDefinition>;
  addons: Record<string, AddonDefinition>;
}
