/**
 * Billing periods on the calendar, as Stripe anchors them: a month after Jan 31 is Feb 28/29, then Mar 31
 * again, because every boundary is computed from the anchor, not from the previous boundary. UTC throughout.
 */
import type Stripe from 'stripe';

export function addIntervals(
  anchor: number,
  interval: Stripe.Price.Recurring.Interval,
  count: number,
): number {
  const d = new Date(anchor * 1000);
  switch (interval) {
    case 'day':
      return anchor + count * 86_400;
    case 'week':
      return anchor + count * 7 * 86_400;
    case 'month':
    case 'year': {
      const months = interval === 'year' ? count * 12 : count;
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() + months;
      const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
      const day = Math.min(d.getUTCDate(), lastDay);
      return Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
    }
    default:
      return anchor + count * 30 * 86_400;
  }
}

/** The first period boundary strictly after `after`, counting whole intervals from `anchor`. */
export function nextBoundary(
  anchor: number,
  interval: Stripe.Price.Recurring.Interval,
  intervalCount: number,
  after: number,
): number {
  for (let k = 1; k < 100_000; k++) {
    const boundary = addIntervals(anchor, interval, k * intervalCount);
    if (boundary > after) return boundary;
  }
  return after + 1;
}

/**
 * End of the period that starts at `boundary`: after a trial the cycle is re-anchored on the trial end;
 * otherwise it keeps counting from the subscription's billing_cycle_anchor.
 */
export function periodEndAfter(
  boundary: number,
  anchor: number,
  recurring: { interval: Stripe.Price.Recurring.Interval; interval_count: number },
  endsTrial: boolean,
): number {
  return endsTrial
    ? addIntervals(boundary, recurring.interval, recurring.interval_count)
    : nextBoundary(anchor, recurring.interval, recurring.interval_count, boundary);
}
