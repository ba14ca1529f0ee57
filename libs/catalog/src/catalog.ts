/**
 * The plan catalog: one versioned file (catalog/plans.json), validated at boot. A catalog that names a paid
 * plan without a price, a feature without a definition, or a malformed limit stops the process with every
 * problem listed, so a bad deploy never reaches Stripe or an entitlement decision.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@tollgate/config';
import { INTERVALS, PLAN_IDS, type Interval, type PlanId } from '@tollgate/contracts';
import type { Catalog, CatalogPrice, PlanDefinition } from './catalog.types';

export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid plan catalog:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogError';
  }
}

const LOOKUP_KEY = /^tollgate_[a-z0-9_]+$/;
const FEATURE_KEY = /^[a-z][a-z0-9_]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates raw JSON into a Catalog, collecting every problem before failing. */
export function parseCatalog(raw: unknown): Catalog {
  const problems: string[] = [];
  if (!isRecord(raw)) throw new CatalogError(['catalog must be a JSON object']);
  if (typeof raw.version !== 'string' || raw.version.length === 0) problems.push('version: required string');
  if (typeof raw.currency !== 'string' || !/^[a-z]{3}$/.test(raw.currency))
    problems.push('currency: a lower-case ISO 4217 code');
  const features = isRecord(raw.features) ? raw.features : {};
  if (!isRecord(raw.features)) problems.push('features: required object');
  for (const [key, def] of Object.entries(features)) {
    if (!FEATURE_KEY.test(key)) problems.push(`features.${key}: key must be snake_case`);
    if (!isRecord(def)) {
      problems.push(`features.${key}: must be an object`);
      continue;
    }
    if (!['boolean', 'limit', 'metered'].includes(def.type as string))
      problems.push(`features.${key}.type: one of boolean, limit, metered`);
    if (def.type === 'metered' && !['billing_period', 'day'].includes(def.window as string))
      problems.push(`features.${key}.window: metered features need billing_period or day`);
    if (typeof def.mutating !== 'boolean') problems.push(`features.${key}.mutating: required boolean`);
  }
  if (!('seats' in features)) problems.push('features.seats: the seat limit must be defined');

  const plans = isRecord(raw.plans) ? raw.plans : {};
  if (!isRecord(raw.plans)) problems.push('plans: required object');
  const lookupKeys = new Set<string>();
  const checkPrices = (where: string, prices: unknown, required: boolean): void => {
    if (!isRecord(prices)) {
      problems.push(`${where}.prices: required object`);
      return;
    }
    for (const interval of INTERVALS) {
      const price = prices[interval];
      if (price === undefined) {
        if (required) problems.push(`${where}.prices.${interval}: a paid plan needs a ${interval}ly price`);
        continue;
      }
      if (!isRecord(price) || !Number.isSafeInteger(price.amount) || (price.amount as number) <= 0)
        problems.push(`${where}.prices.${interval}.amount: a positive integer in minor units`);
      const key = isRecord(price) ? price.lookupKey : undefined;
      if (typeof key !== 'string' || !LOOKUP_KEY.test(key))
        problems.push(`${where}.prices.${interval}.lookupKey: must match ${LOOKUP_KEY}`);
      else if (lookupKeys.has(key)) problems.push(`${where}.prices.${interval}.lookupKey: ${key} used twice`);
      else lookupKeys.add(key);
    }
    for (const extra of Object.keys(prices))
      if (!INTERVALS.includes(extra as Interval)) problems.push(`${where}.prices.${extra}: unknown interval`);
  };

  for (const id of PLAN_IDS) if (!(id in plans)) problems.push(`plans.${id}: missing`);
  let baselines = 0;
  for (const [id, plan] of Object.entries(plans)) {
    const where = `plans.${id}`;
    if (!PLAN_IDS.includes(id as PlanId))
      problems.push(`${where}: unknown plan id (expected ${PLAN_IDS.join(', ')})`);
    if (!isRecord(plan)) {
      problems.push(`${where}: must be an object`);
      continue;
    }
    if (plan.baseline === true) baselines += 1;
    if (typeof plan.name !== 'string') problems.push(`${where}.name: required string`);
    if (!Number.isSafeInteger(plan.includedSeats) || (plan.includedSeats as number) < 1)
      problems.push(`${where}.includedSeats: a positive integer`);
    if (!Number.isSafeInteger(plan.trialDays) || (plan.trialDays as number) < 0)
      problems.push(`${where}.trialDays: a non-negative integer`);
    checkPrices(where, plan.prices, plan.baseline !== true);
    const planFeatures = isRecord(plan.features) ? plan.features : {};
    if (!isRecord(plan.features)) problems.push(`${where}.features: required object`);
    for (const [key, value] of Object.entries(planFeatures)) {
      const def = features[key];
      if (!isRecord(def)) {
        problems.push(`${where}.features.${key}: no definition in features`);
        continue;
      }
      if (!isRecord(value)) {
        problems.push(`${where}.features.${key}: must be an object`);
        continue;
      }
      if (def.type === 'boolean' && value.enabled !== true && value.enabled !== false)
        problems.push(`${where}.features.${key}.enabled: boolean features need enabled`);
      if (def.type !== 'boolean') {
        if (!Number.isSafeInteger(value.limit) || (value.limit as number) < 0)
          problems.push(`${where}.features.${key}.limit: a non-negative integer`);
        if (!['soft', 'hard'].includes(value.enforcement as string))
          problems.push(`${where}.features.${key}.enforcement: soft or hard`);
        if (
          value.warnAt !== undefined &&
          !(typeof value.warnAt === 'number' && value.warnAt > 0 && value.warnAt <= 1)
        )
          problems.push(`${where}.features.${key}.warnAt: a fraction in (0, 1]`);
      }
    }
    if (isRecord(planFeatures.seats) && planFeatures.seats.limit !== plan.includedSeats)
      problems.push(`${where}.features.seats.limit: must equal includedSeats`);
  }
  if (baselines !== 1) problems.push(`plans: exactly one baseline plan (found ${baselines})`);

  const addons = isRecord(raw.addons) ? raw.addons : {};
  for (const [id, addon] of Object.entries(addons)) {
    if (!isRecord(addon)) {
      problems.push(`addons.${id}: must be an object`);
      continue;
    }
    if (typeof addon.feature !== 'string' || !(addon.feature in features))
      problems.push(`addons.${id}.feature: no definition in features`);
    checkPrices(`addons.${id}`, addon.prices, true);
  }
  if (!isRecord(addons.seat)) problems.push('addons.seat: the extra-seat add-on must be defined');

  if (problems.length > 0) throw new CatalogError(problems);
  const catalog = raw as unknown as Catalog;
  for (const [id, plan] of Object.entries(catalog.plans)) plan.id = id as PlanId;
  for (const [id, addon] of Object.entries(catalog.addons)) addon.id = id;
  return catalog;
}

export const DEFAULT_CATALOG_PATH = join(repoRoot(__dirname), 'catalog', 'plans.json');

const cache = new Map<string, Catalog>();

/** Loads and validates the catalog file (CATALOG_PATH or the committed default); memoized per path. */
export function loadCatalog(path = process.env.CATALOG_PATH ?? DEFAULT_CATALOG_PATH): Catalog {
  const hit = cache.get(path);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CatalogError([`${path}: ${(error as Error).message}`]);
  }
  const catalog = parseCatalog(raw);
  cache.set(path, catalog);
  return catalog;
}

export function baselinePlan(catalog: Catalog): PlanDefinition {
  return Object.values(catalog.plans).find((plan) => plan.baseline === true)!;
}

/** Every Stripe price the catalog names, with what it is for. */
export function catalogPrices(
  catalog: Catalog,
): { lookupKey: string; amount: number; interval: Interval; productKey: string; productName: string }[] {
  const out: {
    lookupKey: string;
    amount: number;
    interval: Interval;
    productKey: string;
    productName: string;
  }[] = [];
  const add = (
    productKey: string,
    productName: string,
    prices: Partial<Record<Interval, CatalogPrice>>,
  ): void => {
    for (const interval of INTERVALS) {
      const price = prices[interval];
      if (price)
        out.push({ lookupKey: price.lookupKey, amount: price.amount, interval, productKey, productName });
    }
  };
  for (const plan of Object.values(catalog.plans))
    add(`tollgate_${plan.id}`, `Tollgate ${plan.name}`, plan.prices);
  for (const addon of Object.values(catalog.addons))
    add(`tollgate_${addon.id}`, `Tollgate ${addon.name}`, addon.prices);
  return out;
}

/** Finds which plan (or add-on) and interval a lookup key belongs to. */
export function resolveLookupKey(
  catalog: Catalog,
  lookupKey: string,
):
  | { kind: 'plan'; plan: PlanId; interval: Interval }
  | { kind: 'addon'; addon: string; interval: Interval }
  | null {
  for (const plan of Object.values(catalog.plans))
    for (const interval of INTERVALS)
      if (plan.prices[interval]?.lookupKey === lookupKey) return { kind: 'plan', plan: plan.id, interval };
  for (const addon of Object.values(catalog.addons))
    for (const interval of INTERVALS)
      if (addon.prices[interval]?.lookupKey === lookupKey)
        return { kind: 'addon', addon: addon.id, interval };
  return null;
}
