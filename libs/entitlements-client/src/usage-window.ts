/**
 * Usage windows. Metered features count over the tenant's billing period (anchored to its period start and
 * stepping by the plan interval when a renewal has not arrived yet) or over the UTC day; limit features
 * (seats, projects) count without reset. Month steps clamp to the month's last day, as Stripe's anchors do.
 */
import type { EntitlementSnapshot, ResolvedFeature } from '@tollgate/contracts';

export interface UsageWindow {
  start: Date;
  /** Exclusive end, when the counter resets; null for counters that never reset. */
  end: Date | null;
}

const DAY_MS = 24 * 3600 * 1000;
/** Counters that never reset all share this window start. */
export const NO_RESET_WINDOW_START = new Date(0);

export function addMonths(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      targetYear,
      targetMonth,
      Math.min(anchor.getUTCDate(), lastDay),
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

/** The billing-period window containing `now`, stepping from `anchor` by whole intervals. */
export function periodWindow(anchor: Date, stepMonths: number, now: Date): UsageWindow {
  const monthsApart =
    (now.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (now.getUTCMonth() - anchor.getUTCMonth());
  let k = Math.floor(monthsApart / stepMonths);
  while (addMonths(anchor, k * stepMonths) > now) k -= 1;
  while (addMonths(anchor, (k + 1) * stepMonths) <= now) k += 1;
  return { start: addMonths(anchor, k * stepMonths), end: addMonths(anchor, (k + 1) * stepMonths) };
}

export function dayWindow(now: Date): UsageWindow {
  const start = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  return { start, end: new Date(start.getTime() + DAY_MS) };
}

type WindowSnapshot = Pick<EntitlementSnapshot, 'periodStart' | 'periodEnd' | 'interval'>;

/** The window a feature's usage counts in at `now`, or null for features without a counter (boolean). */
export function featureWindow(
  snapshot: WindowSnapshot,
  feature: Pick<ResolvedFeature, 'window'>,
  now: Date,
): UsageWindow | null {
  switch (feature.window) {
    case undefined:
      return null;
    case 'none':
      return { start: NO_RESET_WINDOW_START, end: null };
    case 'day':
      return dayWindow(now);
    case 'billing_period': {
      const start = new Date(snapshot.periodStart);
      const end = snapshot.periodEnd ? new Date(snapshot.periodEnd) : null;
      if (end && start <= now && now < end) return { start, end };
      return periodWindow(start, snapshot.interval === 'year' ? 12 : 1, now);
    }
  }
}
