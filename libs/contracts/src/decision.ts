import type { DecisionReason, EntitlementSource } from './enums';

/** An entitlement decision, as the contract defines it (HTTP and `entitlements.check.v1` alike). */
export interface Decision {
  allowed: boolean;
  feature: string;
  reason: DecisionReason;
  limit?: number;
  used?: number;
  remaining?: number;
  resetsAt?: string;
  source: EntitlementSource;
  stale: boolean;
}
