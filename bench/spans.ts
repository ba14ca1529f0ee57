/**
 * A long fixed-rate window cut into consecutive spans by when each request was due, so the bench can show how
 * the tail moves as a fresh service warms up (its JIT, its pools, the first writeback of a new database)
 * beside the figure over the whole window, rather than pick one part of it.
 */
import type { TimedAnswer } from './disturbances';

/**
 * The latencies (ms) of the answers due in each of `spans` consecutive spans of `spanMs` from `start`, each
 * sorted ascending. Both times are on the answers' clock; an answer due outside the spans joins the nearest.
 */
export function latenciesBySpan(
  answers: readonly TimedAnswer[],
  start: number,
  spanMs: number,
  spans: number,
): number[][] {
  if (!(spanMs > 0) || !Number.isInteger(spans) || spans < 1)
    throw new Error(`need a positive span and a whole number of spans, got ${spanMs} ms x ${spans}`);
  const bySpan: number[][] = Array.from({ length: spans }, () => []);
  for (const answer of answers) {
    const index = Math.min(spans - 1, Math.max(0, Math.floor((answer.dueAt - start) / spanMs)));
    bySpan[index].push(answer.ms);
  }
  for (const latencies of bySpan) latencies.sort((a, b) => a - b);
  return bySpan;
}
