/**
 * The webhooks service's own acknowledgement histogram (`webhooks_ack_seconds`), read from its /metrics text.
 * The service times each delivery from its body being read to its answer, so the histogram leaves out what
 * happens before the handler runs (the load generator, the sockets, the wait for a CPU and for the event loop)
 * and after it answers. The bench sets it beside the same share as the load generator times it.
 */

/** Answers counted, in all and within 10 ms (the histogram's `le="0.01"` bucket), summed over outcomes. */
export interface AckCounts {
  all: number;
  within10ms: number;
}

const COUNT = /^\w*webhooks_ack_seconds_count\{[^}]*\} (\S+)$/;
const WITHIN_10MS = /^\w*webhooks_ack_seconds_bucket\{[^}]*le="0\.01"[^}]*\} (\S+)$/;

/** Sums the histogram's count and its 10 ms bucket over every outcome in one /metrics text. */
export function ackCounts(metricsText: string): AckCounts {
  const counts: AckCounts = { all: 0, within10ms: 0 };
  for (const line of metricsText.split('\n')) {
    const all = COUNT.exec(line);
    if (all) counts.all += Number(all[1]);
    const within = WITHIN_10MS.exec(line);
    if (within) counts.within10ms += Number(within[1]);
  }
  return counts;
}

/** The share (%) of answers over 10 ms between two readings; NaN when nothing was answered in between. */
export function shareOver10ms(before: AckCounts, after: AckCounts): number {
  const all = after.all - before.all;
  return all === 0 ? NaN : (100 * (all - (after.within10ms - before.within10ms))) / all;
}
