/**
 * The webhooks service's own histograms, read from its /metrics text: `webhooks_ack_seconds` times each
 * delivery from its body being read to its answer, `webhooks_record_seconds` the wait for its inbox row to
 * commit, `webhooks_publish_seconds` the wait for JetStream's acknowledgement of its publication. The ack
 * histogram leaves out what happens before the handler runs (the load generator, the sockets, the wait for a CPU
 * and for the event loop) and after it answers; the bench sets its share of answers over 10 ms beside the same
 * share as the load generator times it, and the two waits' shares beside it, so that a slow answer can be put
 * down to the database, the broker, or neither.
 */

/** The histograms the bench reads, by their names without the `tollgate_` prefix. */
export const SERVICE_HISTOGRAMS = [
  'webhooks_ack_seconds',
  'webhooks_record_seconds',
  'webhooks_publish_seconds',
];

/** Observations counted, in all and within 10 ms (the histogram's `le="0.01"` bucket), summed over labels. */
export interface AckCounts {
  all: number;
  within10ms: number;
}

/** Sums one histogram's count and its 10 ms bucket over every label set in one /metrics text. */
export function histogramCounts(metricsText: string, name: string): AckCounts {
  const count = new RegExp(`^\\w*${name}_count(?:\\{[^}]*\\})? (\\S+)$`);
  const within10ms = new RegExp(`^\\w*${name}_bucket\\{[^}]*le="0\\.01"[^}]*\\} (\\S+)$`);
  const counts: AckCounts = { all: 0, within10ms: 0 };
  for (const line of metricsText.split('\n')) {
    const all = count.exec(line);
    if (all) counts.all += Number(all[1]);
    const within = within10ms.exec(line);
    if (within) counts.within10ms += Number(within[1]);
  }
  return counts;
}

/** Adds two readings, such as those of two replicas. */
export function addCounts(a: AckCounts, b: AckCounts): AckCounts {
  return { all: a.all + b.all, within10ms: a.within10ms + b.within10ms };
}

/** The share (%) of observations over 10 ms between two readings; NaN when none was made in between. */
export function shareOver10ms(before: AckCounts, after: AckCounts): number {
  const all = after.all - before.all;
  return all === 0 ? NaN : (100 * (all - (after.within10ms - before.within10ms))) / all;
}
