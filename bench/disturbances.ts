/**
 * What the machine did to a latency window besides running our code, watched from a probe process of its own
 * (Linux only; see disturbance-probe.ts):
 * - Machine stalls: the probe does nothing but a 5 ms timer, so when that timer fires `STALL_MS` late, no
 *   process could have been running (a VM pause, or every vCPU held by the kernel or the host), whatever
 *   /proc's steal counter says.
 * - Writeback bursts: the kernel writes the page cache that processes dirtied (Postgres extending its files,
 *   the NATS file store) back to disk in bursts, as each file's dirty pages expire (30 s by default). A burst of
 *   a hundred megabytes queues every fsync behind it, Postgres's WAL flush of the inbox commit included.
 * Answers are attributed to a disturbance only if they were in flight while it lasted; those queued behind it
 * and answered after it ended are not counted, so the share is a lower bound.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The probe's timer firing this late: no process ran for that long. */
export const STALL_MS = 20;
/** Disk writes above this rate (bytes per ms, ~100 MB/s) are writeback, not the steady WAL and store traffic. */
export const BURST_BYTES_PER_MS = 100 * 1024;

/** Times are CLOCK_MONOTONIC milliseconds, the same in every process of the machine (see monotonicMs). */
export interface DisturbanceSamples {
  /** [when the late timer was due, how late it fired (ms)]. */
  stalls: [number, number][];
  /** [sample time, bytes the disks completed writing since the previous sample]. */
  writes: [number, number][];
}

export interface Disturbance {
  kind: 'stall' | 'writeback';
  from: number;
  to: number;
  /** Milliseconds for a stall, bytes for a writeback burst. */
  size: number;
}

/** An answer of the load generator: when it was due (monotonic ms) and how long it took. */
export interface TimedAnswer {
  dueAt: number;
  ms: number;
}

export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Stalls of at least STALL_MS, and runs of consecutive samples writing faster than BURST_BYTES_PER_MS. */
export function disturbances(samples: DisturbanceSamples): Disturbance[] {
  const found: Disturbance[] = samples.stalls
    .filter(([, late]) => late >= STALL_MS)
    .map(([at, late]) => ({ kind: 'stall', from: at, to: at + late, size: late }));
  let burst: Disturbance | undefined;
  for (let i = 1; i < samples.writes.length; i++) {
    const from = samples.writes[i - 1][0];
    const [to, bytes] = samples.writes[i];
    if (bytes / Math.max(to - from, 1) >= BURST_BYTES_PER_MS) {
      if (burst && burst.to === from) {
        burst.to = to;
        burst.size += bytes;
      } else {
        burst = { kind: 'writeback', from, to, size: bytes };
        found.push(burst);
      }
    }
  }
  return found.sort((a, b) => a.from - b.from);
}

/**
 * The most bytes written within any `spanMs`. Sample i covers the time since sample i - 1, so only whole
 * samples are summed: a lower bound for spans that do not start on a sample.
 */
export function mostWrittenWithin(samples: DisturbanceSamples, spanMs: number): number {
  const w = samples.writes;
  let most = 0;
  let sum = 0;
  let first = 1;
  for (let last = 1; last < w.length; last++) {
    sum += w[last][1];
    while (w[last][0] - w[first - 1][0] > spanMs) sum -= w[first++][1];
    most = Math.max(most, sum);
  }
  return most;
}

/** The longest stall seen, whatever its length (0 if none was recorded). */
export function longestStall(samples: DisturbanceSamples): number {
  return samples.stalls.reduce((longest, [, late]) => Math.max(longest, late), 0);
}

/** How many of `answers` were in flight (due, not yet answered) at some instant of some disturbance. */
export function inFlightDuring(answers: readonly TimedAnswer[], found: readonly Disturbance[]): number {
  return answers.filter((a) => found.some((d) => a.dueAt < d.to && a.dueAt + a.ms > d.from)).length;
}

/** The probe process, started once per benchmark run and asked for any window's samples. */
export class DisturbanceProbe {
  private constructor(private readonly child: ChildProcess) {}

  /** Undefined where there is no /proc/diskstats (not Linux): the benchmark then leaves these rows out. */
  static async start(): Promise<DisturbanceProbe | undefined> {
    if (process.platform !== 'linux') return undefined;
    const child = fork(resolve(__dirname, 'disturbance-probe.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await new Promise<void>((ready, fail) => {
      child.once('message', () => ready());
      child.once('exit', (code) => fail(new Error(`the disturbance probe exited (${code})`)));
    });
    return new DisturbanceProbe(child);
  }

  async window(from: number, to: number): Promise<DisturbanceSamples> {
    return new Promise((answer) => {
      this.child.once('message', (samples) => answer(samples as DisturbanceSamples));
      this.child.send({ from, to });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }
}
