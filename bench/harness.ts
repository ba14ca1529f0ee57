/**
 * Benchmarks print a table; each figure stands beside a baseline measured in the same run on the same
 * machine (a bare NATS echo, a plain Map lookup, a bare HMAC handler...), so ratios mean something on any
 * hardware. Benchmarks are never timed assertions in tests.
 */
import { performance } from 'node:perf_hooks';

export interface BenchRow {
  group: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** What the issue asks for, for the reader (not asserted). */
  target?: string;
}

export interface BenchModule {
  name: string;
  run(): Promise<BenchRow[]>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Latencies (ms) of `count` sequential calls, after `warmup` unmeasured ones. */
export async function latencies(
  fn: () => Promise<unknown>,
  count: number,
  warmup = Math.min(200, count),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn();
    out[i] = performance.now() - start;
  }
  return out.sort((a, b) => a - b);
}

/** Operations per second with `concurrency` calls in flight for `durationMs`. */
export async function throughput(
  fn: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  let done = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      await fn();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['group', 'metric', 'value', 'baseline', 'ratio', 'target'];
  const body = rows.map((r) => [
    r.group,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : '',
    r.baseline && r.baseline.value !== 0 ? `${(r.value / r.baseline.value).toFixed(2)}x` : '',
    r.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}
