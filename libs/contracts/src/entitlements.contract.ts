import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { Decision } from './decision';
import type { EntitlementSource, Interval, PlanId, SubscriptionState } from './enums';

/** Subjects owned by the entitlements service (request/reply in queue group `entitlements`). */
export const EntitlementsSubject = {
  /** Public contract: plain JSON request `{tenantId, feature, quantity?}`, plain Decision reply. */
  Check: 'entitlements.check.v1',
  List: 'entitlements.list.v1',
  /** Records usage idempotently by key; over a hard limit answers error `limit_exceeded` (decision in details). */
  RecordUsage: 'entitlements.usage.record.v1',
  Usage: 'entitlements.usage.get.v1',
  Snapshot: 'entitlements.snapshot.get.v1',
  /** Operators: grant or change one feature for one tenant, optionally until an expiry; audited. */
  SetOverride: 'entitlements.override.set.v1',
  /** Operators: remove a tenant's override of one feature; audited. */
  ClearOverride: 'entitlements.override.clear.v1',
  /** Operators: a tenant's overrides (active and past) and their audit trail. */
  ListOverrides: 'entitlements.override.list.v1',
  /** Core NATS broadcast (no queue group): every replica and client library drops its cached snapshot. */
  Invalidated: 'entitlements.invalidated.v1',
} as const;

/** Queue group every entitlements replica serves its request subjects in. */
export const ENTITLEMENTS_QUEUE = 'entitlements';

export const FEATURE_KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

export class CheckRequest {
  @IsString() @IsNotEmpty() @MaxLength(64) tenantId!: string;
  @IsString() @Matches(FEATURE_KEY_PATTERN) @MaxLength(64) feature!: string;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000_000) quantity?: number;
}

export class TenantRequest {
  @IsString() @IsNotEmpty() @MaxLength(64) tenantId!: string;
}

/**
 * A snapshot no older than `minVersion`: the client library asks for the newer of the version it holds and the
 * version an invalidation named, so a replica that missed a broadcast reads Postgres again.
 */
export class SnapshotRequest {
  @IsString() @IsNotEmpty() @MaxLength(64) tenantId!: string;
  @IsOptional() @IsInt() @Min(0) minVersion?: number;
}

export class RecordUsageRequest {
  @IsString() @IsNotEmpty() @MaxLength(64) tenantId!: string;
  @IsString() @Matches(FEATURE_KEY_PATTERN) @MaxLength(64) feature!: string;
  @IsInt() @Min(1) @Max(1_000_000_000) quantity!: number;
  @IsString() @IsNotEmpty() @MaxLength(200) idempotencyKey!: string;
}

export class OverrideActorDto {
  @IsIn(['operator', 'system']) type!: 'operator' | 'system';
  @IsString() @IsNotEmpty() @MaxLength(200) id!: string;
}

export class SetOverrideRequest {
  @IsString() @IsNotEmpty() @MaxLength(64) tenantId!: string;
  @IsString() @Matches(FEATURE_KEY_PATTERN) @MaxLength(64) feature!: string;
  /** Boolean features: grant (true) or revoke (false). Limit and metered features: false removes the feature. */
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** Limit and metered features: the limit to apply instead of the plan's. */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000) limit?: number;
  @IsOptional() @IsIn(['soft', 'hard']) enforcement?: 'soft' | 'hard';
  /** ISO time after which the override no longer applies; omitted: until cleared. */
  @IsOptional() @IsISO8601({ strict: true }) expiresAt?: string;
  @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
  @ValidateNested() @Type(() => OverrideActorDto) actor!: OverrideActorDto;
}

export class ClearOverrideRequest {
  @IsString() @IsNotEmpty() @MaxLength(64) tenantId!: string;
  @IsString() @Matches(FEATURE_KEY_PATTERN) @MaxLength(64) feature!: string;
  @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
  @ValidateNested() @Type(() => OverrideActorDto) actor!: OverrideActorDto;
}

/**
 * A decision as the entitlements service and client library produce it: the contract's Decision plus an
 * optional `warning` once usage passes the feature's warning threshold (`warnAt` of the limit).
 */
export interface EntitlementDecision extends Decision {
  warning?: 'approaching_limit';
}

/** One feature as resolved for a tenant. */
export interface ResolvedFeature {
  key: string;
  type: 'boolean' | 'limit' | 'metered';
  enabled: boolean;
  limit?: number;
  enforcement?: 'soft' | 'hard';
  /** Fraction of the limit at which decisions carry `warning: approaching_limit`. */
  warnAt?: number;
  /** Metered features count per billing period or UTC day; limit features count without reset (`none`). */
  window?: 'billing_period' | 'day' | 'none';
  /** Denied with `suspended_read_only` while the tenant is suspended. */
  mutating: boolean;
  /** Refused rather than granted when the snapshot is stale. */
  failClosed?: boolean;
  source: EntitlementSource;
}

/** What a tenant may do, as persisted per tenant and cached by replicas and the client library. */
export interface EntitlementSnapshot {
  tenantId: string;
  plan: PlanId;
  interval: Interval | null;
  state: SubscriptionState;
  /** Start of the current billing period (ISO), anchoring metered windows. */
  periodStart: string;
  periodEnd: string | null;
  graceUntil: string | null;
  features: Record<string, ResolvedFeature>;
  /** Revision of the tenant's snapshot: increases on every recompute (subscription or override change). */
  version: number;
  computedAt: string;
  /**
   * When the snapshot becomes stale (periodEnd plus the staleness bound, with no renewal event in between);
   * null when it cannot go stale (baseline). Past it, decisions carry `stale: true` (see docs/entitlements.md).
   */
  staleAfter: string | null;
  /** When the snapshot must be recomputed (the earliest override expiry); null if never. */
  refreshAt: string | null;
}

export interface InvalidatedMessage {
  tenantId: string;
  version: number;
}

export interface UsageView {
  tenantId: string;
  features: {
    feature: string;
    used: number;
    limit: number | null;
    enforcement: 'soft' | 'hard' | null;
    windowStart: string;
    resetsAt: string | null;
    /** Attempts refused in this window because they would have passed a hard limit. */
    refusedAttempts: number;
  }[];
}

export interface EntitlementOverride {
  id: string;
  tenantId: string;
  feature: string;
  enabled: boolean | null;
  limit: number | null;
  enforcement: 'soft' | 'hard' | null;
  expiresAt: string | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  clearedAt: string | null;
}

export interface OverrideAuditEntry {
  id: string;
  tenantId: string;
  feature: string;
  action: 'set' | 'cleared';
  before: EntitlementOverride | null;
  after: EntitlementOverride | null;
  actor: string;
  reason: string;
  at: string;
}

export interface EntitlementsRequests {
  [EntitlementsSubject.Check]: { request: CheckRequest; reply: EntitlementDecision };
  [EntitlementsSubject.List]: { request: TenantRequest; reply: EntitlementSnapshot };
  [EntitlementsSubject.RecordUsage]: { request: RecordUsageRequest; reply: EntitlementDecision };
  [EntitlementsSubject.Usage]: { request: TenantRequest; reply: UsageView };
  [EntitlementsSubject.Snapshot]: { request: SnapshotRequest; reply: EntitlementSnapshot };
  [EntitlementsSubject.SetOverride]: { request: SetOverrideRequest; reply: EntitlementSnapshot };
  [EntitlementsSubject.ClearOverride]: { request: ClearOverrideRequest; reply: EntitlementSnapshot };
  [EntitlementsSubject.ListOverrides]: {
    request: TenantRequest;
    reply: { overrides: EntitlementOverride[]; audit: OverrideAuditEntry[] };
  };
}
