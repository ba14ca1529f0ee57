/**
 * Entitlements orchestration: setup (load facts and overrides) → compute (pure resolveSnapshot / decide) →
 * execute (persist, cache, broadcast `entitlements.invalidated.v1`). The decision itself is the pure `decide`
 * shared with the client library; this class only finds its inputs.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { loadCatalog, type Catalog } from '@tollgate/catalog';
import {
  DomainError,
  EntitlementsSubject,
  ErrorCode,
  PLAN_IDS,
  SUBSCRIPTION_STATES,
  type CheckRequest,
  type ClearOverrideRequest,
  type EntitlementDecision,
  type EntitlementOverride,
  type EntitlementSnapshot,
  type InvalidatedMessage,
  type OverrideAuditEntry,
  type RecordUsageRequest,
  type SetOverrideRequest,
  type SubscriptionChangedEvent,
  type UsageView,
} from '@tollgate/contracts';
import { decide, decisionStableUntil, featureWindow } from '@tollgate/entitlements-client';
import { CONFIG } from '@tollgate/service-runtime';
import { EntitlementsConfig } from '../entitlements.config';
import { OverrideRepository } from '../repositories/override.repository';
import { TenantEntitlementsRepository, type TenantRow } from '../repositories/tenant-entitlements.repository';
import { UsageRepository } from '../repositories/usage.repository';
import { SnapshotCache, type StoreLoaded } from './snapshot-cache';
import { resolveSnapshot, type SubscriptionFacts } from './snapshot-resolver';

export const CLOCK = Symbol('CLOCK');
export const BROADCASTER = Symbol('BROADCASTER');
export type Clock = () => Date;
export interface Broadcaster {
  broadcast(subject: string, payload: unknown): void;
}

export type EntitlementsSettings = Pick<
  EntitlementsConfig,
  | 'ENTITLEMENTS_STALENESS_BOUND_SECONDS'
  | 'ENTITLEMENTS_CACHE_TTL_MS'
  | 'ENTITLEMENTS_CACHE_MAX_TENANTS'
  | 'ENTITLEMENTS_DEFAULT_WARN_AT'
>;

function parseDate(value: unknown, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new Error(`${field}: not an ISO time`);
  return date;
}

/** Boundary validation of billing's event (an interface, not a DTO): throws on anything malformed. */
export function subscriptionFactsOf(event: SubscriptionChangedEvent): {
  facts: SubscriptionFacts;
  version: number;
} {
  const problems: string[] = [];
  if (typeof event.tenantId !== 'string' || event.tenantId.length === 0) problems.push('tenantId');
  if (!PLAN_IDS.includes(event.plan)) problems.push('plan');
  if (!SUBSCRIPTION_STATES.includes(event.state)) problems.push('state');
  if (!Number.isSafeInteger(event.version)) problems.push('version');
  if (event.interval !== null && event.interval !== 'month' && event.interval !== 'year')
    problems.push('interval');
  if (problems.length > 0) throw new Error(`malformed subscription event: ${problems.join(', ')}`);
  return {
    version: event.version,
    facts: {
      tenantId: event.tenantId,
      plan: event.plan,
      interval: event.interval,
      state: event.state,
      seats: Number.isSafeInteger(event.seats) ? event.seats : 0,
      periodStart: parseDate(event.periodStart, 'periodStart'),
      periodEnd: parseDate(event.periodEnd, 'periodEnd'),
      graceUntil: parseDate(event.graceUntil, 'graceUntil'),
    },
  };
}

@Injectable()
export class EntitlementsService {
  private readonly catalog: Catalog = loadCatalog();
  readonly cache: SnapshotCache;

  constructor(
    @Inject(CONFIG) private readonly settings: EntitlementsSettings,
    private readonly tenants: TenantEntitlementsRepository,
    private readonly overrides: OverrideRepository,
    private readonly usage: UsageRepository,
    @Inject(BROADCASTER) private readonly broadcaster: Broadcaster,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cache = new SnapshotCache(
      settings.ENTITLEMENTS_CACHE_TTL_MS,
      settings.ENTITLEMENTS_CACHE_MAX_TENANTS,
    );
  }

  // ---- snapshots -------------------------------------------------------------------------------------------

  /**
   * The tenant's snapshot: cached, else persisted (recomputed if an override expired), else the baseline. What
   * is read is cached only if no invalidation overtook the read (SnapshotCache.load); either way it is returned.
   * Concurrent callers share one read unless an invalidation reached it (SnapshotCache.read). A caller whose
   * `minVersion` the shared read did not reach (it may have started before that version was committed) reads
   * again on its own.
   */
  async snapshot(tenantId: string, minVersion = 0): Promise<EntitlementSnapshot> {
    const cached = this.cache.get(tenantId, this.clock().getTime(), minVersion);
    if (cached) return cached;
    const shared = await this.cache.read(tenantId, (store) => this.readSnapshot(tenantId, store));
    if (shared.version >= minVersion) return shared;
    return this.cache.load(tenantId, (store) => this.readSnapshot(tenantId, store));
  }

  private async readSnapshot(tenantId: string, store: StoreLoaded): Promise<EntitlementSnapshot> {
    const now = this.clock();
    const row = await this.tenants.find(tenantId);
    let snapshot: EntitlementSnapshot;
    if (!row) snapshot = this.resolve(tenantId, null, [], 0, now);
    else if (row.snapshot.refreshAt && Date.parse(row.snapshot.refreshAt) <= now.getTime())
      snapshot = await this.recompute(tenantId, async () => undefined);
    else snapshot = row.snapshot;
    store(snapshot, this.clock().getTime());
    return snapshot;
  }

  private resolve(
    tenantId: string,
    facts: SubscriptionFacts | null,
    overrides: Awaited<ReturnType<OverrideRepository['live']>>,
    revision: number,
    now: Date,
  ): EntitlementSnapshot {
    return resolveSnapshot(this.catalog, tenantId, facts, overrides, {
      now,
      revision,
      stalenessBoundSeconds: this.settings.ENTITLEMENTS_STALENESS_BOUND_SECONDS,
      defaultWarnAt: this.settings.ENTITLEMENTS_DEFAULT_WARN_AT,
    });
  }

  /**
   * Under the tenant's lock: `mutate` may change facts (returning new facts and their version, or undefined to
   * keep them, or `skip` to change nothing), then the snapshot is recomputed with the next revision, persisted,
   * cached and broadcast. It is cached as a load (SnapshotCache.load): a newer revision committed by another
   * replica, and announced before our commit returns, keeps ours out of the cache.
   */
  private async recompute(
    tenantId: string,
    mutate: (
      manager: EntityManager,
      row: TenantRow | null,
    ) => Promise<{ facts: SubscriptionFacts | null; version: number } | undefined | 'skip'>,
  ): Promise<EntitlementSnapshot> {
    const outcome = await this.cache.load(tenantId, async (store) => {
      const result = await this.tenants.locked(tenantId, async (manager, row) => {
        const change = await mutate(manager, row);
        if (change === 'skip' && row) return { snapshot: row.snapshot, changed: false };
        const facts = change && change !== 'skip' ? change.facts : (row?.facts ?? null);
        const version = change && change !== 'skip' ? change.version : (row?.subscriptionVersion ?? 0);
        const live = await this.overrides.live(manager, tenantId);
        const snapshot = this.resolve(tenantId, facts, live, (row?.revision ?? 0) + 1, this.clock());
        await this.tenants.save(manager, tenantId, facts, version, snapshot);
        return { snapshot, changed: true };
      });
      if (result.changed) store(result.snapshot, this.clock().getTime());
      return result;
    });
    if (outcome.changed) {
      const message: InvalidatedMessage = { tenantId, version: outcome.snapshot.version };
      this.broadcaster.broadcast(EntitlementsSubject.Invalidated, message);
    }
    return outcome.snapshot;
  }

  /** Drops a replica's cached snapshot when another replica announces a newer one. */
  onInvalidated(message: InvalidatedMessage): void {
    this.cache.invalidate(message.tenantId, message.version);
  }

  // ---- billing events ----------------------------------------------------------------------------------

  /** Applies a subscription change unless a newer one was applied already (out-of-order safe). */
  async applySubscriptionChanged(event: SubscriptionChangedEvent): Promise<EntitlementSnapshot> {
    const { facts, version } = subscriptionFactsOf(event);
    return this.recompute(facts.tenantId, async (_manager, row) =>
      row && row.subscriptionVersion >= version ? 'skip' : { facts, version },
    );
  }

  /** A new tenant gets the baseline snapshot persisted (a tenant already known is left alone). */
  async applyTenantCreated(tenantId: string): Promise<EntitlementSnapshot> {
    return this.recompute(tenantId, async (_manager, row) => (row ? 'skip' : { facts: null, version: 0 }));
  }

  // ---- overrides ------------------------------------------------------------------------------------------

  async setOverride(request: SetOverrideRequest): Promise<EntitlementSnapshot> {
    const definition = this.catalog.features[request.feature];
    if (!definition)
      throw new DomainError(ErrorCode.UnknownFeature, `unknown feature ${request.feature}`, {
        feature: request.feature,
      });
    const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= this.clock().getTime())
      throw new DomainError(ErrorCode.ValidationFailed, 'expiresAt must be in the future');
    if (definition.type === 'boolean' && (request.limit !== undefined || request.enforcement !== undefined))
      throw new DomainError(ErrorCode.ValidationFailed, `${request.feature} is a boolean feature: no limit`);
    if (definition.type === 'boolean' && request.enabled === undefined)
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `${request.feature} is a boolean feature: enabled required`,
      );
    if (definition.type !== 'boolean' && request.limit === undefined && request.enabled !== false) {
      const current = await this.snapshot(request.tenantId);
      if (current.features[request.feature]?.limit === undefined)
        throw new DomainError(
          ErrorCode.ValidationFailed,
          `${request.feature} is not in the plan: a limit is required`,
        );
    }
    return this.recompute(request.tenantId, async (manager) => {
      await this.overrides.set(manager, {
        tenantId: request.tenantId,
        feature: request.feature,
        enabled: request.enabled ?? null,
        limit: request.limit ?? null,
        enforcement: request.enforcement ?? null,
        expiresAt,
        reason: request.reason,
        actor: `${request.actor.type}:${request.actor.id}`,
      });
      return undefined;
    });
  }

  async clearOverride(request: ClearOverrideRequest): Promise<EntitlementSnapshot> {
    return this.recompute(request.tenantId, async (manager) => {
      const cleared = await this.overrides.clear(manager, {
        tenantId: request.tenantId,
        feature: request.feature,
        reason: request.reason,
        actor: `${request.actor.type}:${request.actor.id}`,
      });
      if (!cleared)
        throw new DomainError(ErrorCode.NotFound, `no override of ${request.feature} for this tenant`, {
          feature: request.feature,
        });
      return undefined;
    });
  }

  listOverrides(
    tenantId: string,
  ): Promise<{ overrides: EntitlementOverride[]; audit: OverrideAuditEntry[] }> {
    return this.overrides.list(tenantId);
  }

  // ---- decisions ----------------------------------------------------------------------------------------

  /**
   * The hot path: a decision from the cached snapshot without any I/O, or undefined when it needs I/O (a
   * snapshot not cached, or a limit/metered feature whose counter lives in Postgres).
   */
  checkCached(request: CheckRequest): EntitlementDecision | undefined {
    return this.checkCachedWithBound(request)?.decision;
  }

  /** As checkCached, with the time until which the decision cannot change (see decisionStableUntil). */
  checkCachedWithBound(
    request: CheckRequest,
  ): { decision: EntitlementDecision; snapshot: EntitlementSnapshot; stableUntil: number } | undefined {
    const now = this.clock();
    const snapshot = this.cache.get(request.tenantId, now.getTime());
    if (snapshot === undefined) return undefined;
    const resolved = snapshot.features[request.feature];
    if (resolved !== undefined && resolved.type !== 'boolean' && resolved.enabled) return undefined;
    const decision = decide({ snapshot, feature: request.feature, quantity: request.quantity, now });
    return { decision, snapshot, stableUntil: decisionStableUntil(snapshot, now) };
  }

  /** The cached snapshot, if fresh, without loading anything. */
  cachedSnapshot(tenantId: string): EntitlementSnapshot | undefined {
    return this.cache.get(tenantId, this.clock().getTime());
  }

  now(): number {
    return this.clock().getTime();
  }

  async check(request: CheckRequest): Promise<EntitlementDecision> {
    const snapshot = await this.snapshot(request.tenantId);
    const now = this.clock();
    const resolved = snapshot.features[request.feature];
    let used = 0;
    if (resolved && resolved.type !== 'boolean' && resolved.enabled) {
      const window = featureWindow(snapshot, resolved, now);
      if (window) used = await this.usage.used(request.tenantId, request.feature, window.start);
    }
    return decide({ snapshot, feature: request.feature, quantity: request.quantity, used, now });
  }

  /**
   * Records usage. Refused over a hard limit with `limit_exceeded` (decision in details) and nothing counted;
   * refused with `forbidden` when the feature is not granted at all (not in plan, read-only, fail-closed).
   */
  async recordUsage(request: RecordUsageRequest): Promise<EntitlementDecision> {
    const snapshot = await this.snapshot(request.tenantId);
    const now = this.clock();
    const resolved = snapshot.features[request.feature];
    if (!resolved)
      throw new DomainError(ErrorCode.UnknownFeature, `unknown feature ${request.feature}`, {
        feature: request.feature,
      });
    if (resolved.type === 'boolean')
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `${request.feature} is a boolean feature: no usage to record`,
      );
    const gate = decide({ snapshot, feature: request.feature, quantity: 0, now });
    if (!gate.allowed)
      throw new DomainError(ErrorCode.Forbidden, `${request.feature} is not available: ${gate.reason}`, {
        decision: gate,
      });
    const window = featureWindow(snapshot, resolved, now)!;
    const limit = resolved.limit!;
    const outcome = await this.usage.record({
      tenantId: request.tenantId,
      feature: request.feature,
      quantity: request.quantity,
      idempotencyKey: request.idempotencyKey,
      windowStart: window.start,
      hardLimit: resolved.enforcement === 'soft' ? null : limit,
      limit,
    });
    switch (outcome.kind) {
      case 'replayed':
        if (outcome.feature !== request.feature || outcome.quantity !== request.quantity)
          throw new DomainError(
            ErrorCode.IdempotencyConflict,
            'idempotency key reused with a different request',
            {
              idempotencyKey: request.idempotencyKey,
            },
          );
        return outcome.decision;
      case 'refused': {
        const decision = decide({
          snapshot,
          feature: request.feature,
          quantity: request.quantity,
          used: outcome.used,
          now,
        });
        throw new DomainError(
          ErrorCode.LimitExceeded,
          `${request.feature} would exceed its limit of ${limit}`,
          {
            decision,
          },
        );
      }
      case 'recorded': {
        const decision = decide({
          snapshot,
          feature: request.feature,
          quantity: request.quantity,
          used: outcome.usedBefore,
          recorded: true,
          now,
        });
        await outcome.finish(decision);
        return decision;
      }
    }
  }

  async usageView(tenantId: string): Promise<UsageView> {
    const snapshot = await this.snapshot(tenantId);
    const now = this.clock();
    const counted = Object.values(snapshot.features).filter((f) => f.type !== 'boolean' && f.enabled);
    const windows = counted.map((f) => ({ feature: f.key, window: featureWindow(snapshot, f, now)! }));
    const usage = await this.usage.view(
      tenantId,
      windows.map((w) => ({ feature: w.feature, windowStart: w.window.start })),
    );
    return {
      tenantId,
      features: windows.map(({ feature, window }) => {
        const resolved = snapshot.features[feature];
        return {
          feature,
          used: usage.get(feature)?.used ?? 0,
          limit: resolved.limit ?? null,
          enforcement: resolved.enforcement ?? null,
          windowStart: window.start.toISOString(),
          resetsAt: window.end ? window.end.toISOString() : null,
          refusedAttempts: usage.get(feature)?.refused ?? 0,
        };
      }),
    };
  }
}
