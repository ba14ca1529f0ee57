/**
 * The decision rule, shared by the entitlements service and the client library so both answer alike.
 * Pure: snapshot + usage + now → decision. Order of precedence:
 * 1. A feature the snapshot does not know → unknown_feature (error); one it does not enable → not_in_plan.
 * 2. Fail-safe: past `staleAfter` the subscription state is not trusted. Features configured `failClosed`
 *    are refused, everything the last known plan grants stays granted with reason fail_safe_stale (limits
 *    still apply), and `stale: true` is set on every decision.
 * 3. Suspended, or past_due after its grace: mutating features refused (suspended_read_only); reading stays.
 * 4. Limits: used + quantity over a hard limit → refused (hard_limit_exceeded); over a soft limit → allowed,
 *    flagged soft_limit_exceeded. Within the limit, `warning: approaching_limit` once the warnAt share is hit.
 * 5. Otherwise allowed: grace_period while past_due in grace, else included / within_limit.
 */
import {
  DomainError,
  ErrorCode,
  type EntitlementDecision,
  type EntitlementSnapshot,
} from '@tollgate/contracts';
import { featureWindow } from './usage-window';

export interface DecideInput {
  snapshot: EntitlementSnapshot;
  feature: string;
  /** Defaults to 1. */
  quantity?: number;
  /** Usage already counted in the feature's current window (limit and metered features); defaults to 0. */
  used?: number;
  /** True when `quantity` has just been recorded: the decision reports usage after it. */
  recorded?: boolean;
  now: Date;
}

export function isStale(snapshot: EntitlementSnapshot, now: Date): boolean {
  return snapshot.staleAfter !== null && now.getTime() >= Date.parse(snapshot.staleAfter);
}

export function inGrace(snapshot: EntitlementSnapshot, now: Date): boolean {
  return (
    snapshot.state === 'past_due' &&
    snapshot.graceUntil !== null &&
    now.getTime() < Date.parse(snapshot.graceUntil)
  );
}

export function isReadOnly(snapshot: EntitlementSnapshot, now: Date): boolean {
  return snapshot.state === 'suspended' || (snapshot.state === 'past_due' && !inGrace(snapshot, now));
}

export function decide(input: DecideInput): EntitlementDecision {
  const { snapshot, feature, now } = input;
  const resolved = snapshot.features[feature];
  if (!resolved) throw new DomainError(ErrorCode.UnknownFeature, `unknown feature ${feature}`, { feature });
  const quantity = input.quantity ?? 1;
  const stale = isStale(snapshot, now);
  const base = { feature, source: resolved.source, stale };

  if (!resolved.enabled) return { allowed: false, reason: 'not_in_plan', ...base };

  let usage: Pick<EntitlementDecision, 'limit' | 'used' | 'remaining' | 'resetsAt'> = {};
  let over = false;
  let approaching = false;
  if (resolved.type !== 'boolean' && resolved.limit !== undefined) {
    const limit = resolved.limit;
    const before = input.used ?? 0;
    const after = before + quantity;
    const reported = input.recorded ? after : before;
    const window = featureWindow(snapshot, resolved, now);
    usage = {
      limit,
      used: reported,
      remaining: Math.max(0, limit - reported),
      ...(window?.end ? { resetsAt: window.end.toISOString() } : {}),
    };
    over = after > limit;
    approaching = !over && after >= Math.ceil((resolved.warnAt ?? 1) * limit);
  }

  if (stale && resolved.failClosed) return { allowed: false, reason: 'fail_safe_stale', ...usage, ...base };
  if (!stale && isReadOnly(snapshot, now) && resolved.mutating)
    return { allowed: false, reason: 'suspended_read_only', ...usage, ...base };
  if (over && resolved.enforcement !== 'soft')
    return { allowed: false, reason: 'hard_limit_exceeded', ...usage, ...base };
  if (over) return { allowed: true, reason: 'soft_limit_exceeded', ...usage, ...base };

  const reason = stale
    ? 'fail_safe_stale'
    : inGrace(snapshot, now)
      ? 'grace_period'
      : resolved.type === 'boolean'
        ? 'included'
        : 'within_limit';
  return {
    allowed: true,
    reason,
    ...usage,
    ...base,
    ...(approaching ? { warning: 'approaching_limit' } : {}),
  };
}

/**
 * For boolean features the decision depends on time only through the staleness bound and the grace end, so it
 * stays the same until the earliest of those still ahead: callers may reuse a decision until then.
 */
export function decisionStableUntil(snapshot: EntitlementSnapshot, now: Date): number {
  let until = Infinity;
  for (const at of [snapshot.staleAfter, snapshot.graceUntil, snapshot.refreshAt]) {
    if (at === null) continue;
    const t = Date.parse(at);
    if (t > now.getTime() && t < until) until = t;
  }
  return until;
}
