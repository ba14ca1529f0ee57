/**
 * Resolution policy (pure): what a tenant may do, from the catalog, its subscription facts and its overrides.
 * Precedence, per feature: an operator override that has not expired > the subscription's plan with its
 * add-ons (extra seats raise the seat limit) > the baseline (Free) plan. The plan applies while the
 * subscription is trialing, active, canceled_pending, past_due or suspended (decide() turns the last two into
 * grace or read-only); none, expired and canceled fall back to the baseline, as does a tenant never seen.
 * Staleness bound: a paid snapshot goes stale `stalenessBoundSeconds` after its period end; a renewal event
 * moves the period end and so the bound. Baseline snapshots never go stale.
 */
import { baselinePlan, type Catalog, type PlanDefinition } from '@tollgate/catalog';
import type {
  EntitlementSnapshot,
  EntitlementSource,
  Interval,
  PlanId,
  ResolvedFeature,
  SubscriptionState,
} from '@tollgate/contracts';

export interface SubscriptionFacts {
  tenantId: string;
  plan: PlanId;
  interval: Interval | null;
  state: SubscriptionState;
  seats: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  graceUntil: Date | null;
}

export interface OverrideFacts {
  feature: string;
  enabled: boolean | null;
  limit: number | null;
  enforcement: 'soft' | 'hard' | null;
  expiresAt: Date | null;
}

export interface ResolveOptions {
  now: Date;
  revision: number;
  stalenessBoundSeconds: number;
  defaultWarnAt: number;
}

const PLAN_STATES: ReadonlySet<SubscriptionState> = new Set([
  'trialing',
  'active',
  'canceled_pending',
  'past_due',
  'suspended',
]);

export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

function planFeatures(
  catalog: Catalog,
  plan: PlanDefinition,
  source: EntitlementSource,
  seats: number,
  defaultWarnAt: number,
): Record<string, ResolvedFeature> {
  const seatAddonFeatures = new Set(Object.values(catalog.addons).map((addon) => addon.feature));
  const out: Record<string, ResolvedFeature> = {};
  for (const [key, def] of Object.entries(catalog.features)) {
    const granted = plan.features[key];
    const common = {
      key,
      type: def.type,
      mutating: def.mutating,
      ...(def.failClosed ? { failClosed: true } : {}),
      source,
    };
    if (def.type === 'boolean') {
      out[key] = { ...common, enabled: granted?.enabled === true };
      continue;
    }
    const window = def.type === 'metered' ? (def.window ?? 'billing_period') : 'none';
    if (!granted || granted.limit === undefined) {
      out[key] = { ...common, enabled: false, window };
      continue;
    }
    // Add-ons sold per unit (extra seats) raise the limit to what the subscription carries.
    const limit =
      seatAddonFeatures.has(key) && source === 'plan' ? Math.max(granted.limit, seats) : granted.limit;
    out[key] = {
      ...common,
      enabled: true,
      limit,
      enforcement: granted.enforcement ?? 'hard',
      warnAt: granted.warnAt ?? defaultWarnAt,
      window,
    };
  }
  return out;
}

function applyOverride(
  feature: ResolvedFeature,
  override: OverrideFacts,
  defaultWarnAt: number,
): ResolvedFeature {
  const next: ResolvedFeature = { ...feature, source: 'override' };
  if (feature.type === 'boolean') {
    next.enabled = override.enabled ?? true;
    return next;
  }
  const limit = override.limit ?? feature.limit;
  next.enabled = override.enabled ?? true;
  if (!next.enabled || limit === undefined) {
    next.enabled = false;
    delete next.limit;
    delete next.enforcement;
    delete next.warnAt;
    return next;
  }
  next.limit = limit;
  next.enforcement = override.enforcement ?? feature.enforcement ?? 'hard';
  next.warnAt = feature.warnAt ?? defaultWarnAt;
  return next;
}

export function isOverrideActive(override: Pick<OverrideFacts, 'expiresAt'>, now: Date): boolean {
  return override.expiresAt === null || override.expiresAt.getTime() > now.getTime();
}

/** The tenant's snapshot; `facts` null for a tenant never seen (or seen only as created). */
export function resolveSnapshot(
  catalog: Catalog,
  tenantId: string,
  facts: SubscriptionFacts | null,
  overrides: OverrideFacts[],
  options: ResolveOptions,
): EntitlementSnapshot {
  const { now } = options;
  const onPlan = facts !== null && PLAN_STATES.has(facts.state) && catalog.plans[facts.plan] !== undefined;
  const plan = onPlan ? catalog.plans[facts.plan] : baselinePlan(catalog);
  const source: EntitlementSource = onPlan && plan.baseline !== true ? 'plan' : 'baseline';
  const features = planFeatures(catalog, plan, source, facts?.seats ?? 0, options.defaultWarnAt);

  let refreshAt: number | null = null;
  for (const override of overrides) {
    const current = features[override.feature];
    if (!current || !isOverrideActive(override, now)) continue;
    features[override.feature] = applyOverride(current, override, options.defaultWarnAt);
    if (override.expiresAt) refreshAt = Math.min(refreshAt ?? Infinity, override.expiresAt.getTime());
  }

  const periodStart = onPlan && facts.periodStart ? facts.periodStart : monthStart(now);
  const periodEnd = onPlan ? facts.periodEnd : null;
  const staleAfter =
    source === 'plan' && periodEnd
      ? new Date(periodEnd.getTime() + options.stalenessBoundSeconds * 1000)
      : null;
  return {
    tenantId,
    plan: plan.id,
    interval: onPlan ? (facts.interval ?? 'month') : 'month',
    state: facts?.state ?? 'none',
    periodStart: periodStart.toISOString(),
    periodEnd: periodEnd ? periodEnd.toISOString() : null,
    graceUntil: facts?.graceUntil ? facts.graceUntil.toISOString() : null,
    features,
    version: options.revision,
    computedAt: now.toISOString(),
    staleAfter: staleAfter ? staleAfter.toISOString() : null,
    refreshAt: refreshAt === null ? null : new Date(refreshAt).toISOString(),
  };
}
