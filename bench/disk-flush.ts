/**
 * A property of the machine, not of Tollgate: how long a durable 8 KB write (write, then fdatasync) takes on
 * the disk that holds the database, with nothing else running. Every acknowledged webhook waits for one such
 * flush (the inbox commit's WAL fdatasync, shared by the deliveries in its group commit), so a flush that takes
 * 20 ms delays every delivery committing meanwhile past the 10 ms target, whatever the pipeline does. On
 * session 10's machine an idle loop of these flushes had a p50 of 0.17 ms and eight over 10 ms in 20 s (the
 * longest 41 ms): at 1,000 ev/s, each such flush holds up some twenty deliveries, and 1 % of a minute's
 * deliveries is 600. The row makes runs on different disks comparable.
 *
 * A second figure turns the same probe into a floor for the tail: a delivery that arrives while a flush is
 * already `d` ms long waits for the rest of it, so the deliveries arriving in the first `d - 10` ms of it wait
 * over 10 ms. Summed over the probe's flushes and divided by the probe's length, that is the share of evenly
 * offered deliveries this idle disk alone would hold past 10 ms (`msPast10ms / durationMs`). The p99 target
 * leaves 1 % for every cause together.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long the probe runs, and the pause between flushes (so it samples the disk, not saturates it). */
export const FLUSH_PROBE_MS = 20_000;
const PAUSE_MS = 1;
const BLOCK = Buffer.alloc(8192);
/** The probe cycles over this much of its file, like a WAL segment, so it rewrites blocks it already wrote. */
const FILE_BYTES = 16 * 1024 * 1024;

export interface FlushSummary {
  /** Flush latencies in ms, ascending. */
  sorted: number[];
  /** How many took over 10 ms. */
  over10ms: number;
  /** The time spent in flushes beyond their first 10 ms, summed (ms). */
  msPast10ms: number;
  /** How long the probe ran (ms), pauses included. */
  durationMs: number;
}

export function summarizeFlushes(latenciesMs: number[], durationMs: number): FlushSummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const slow = sorted.filter((ms) => ms > 10);
  return {
    sorted,
    over10ms: slow.length,
    msPast10ms: slow.reduce((sum, ms) => sum + ms - 10, 0),
    durationMs,
  };
}

/** The share (%) of evenly offered deliveries that the probed flushes alone would hold past 10 ms. */
export function shareHeldPast10ms(flushes: FlushSummary): number {
  return flushes.durationMs > 0 ? (100 * flushes.msPast10ms) / flushes.durationMs : NaN;
}

/** Writes and flushes 8 KB blocks in `directory` for `durationMs`; the probe's file is removed afterwards. */
export async function probeFlushes(directory: string, durationMs = FLUSH_PROBE_MS): Promise<FlushSummary> {
  const path = join(directory, `tollgate-flush-probe-${process.pid}.bin`);
  const fd = openSync(path, 'w+', 0o600);
  const latencies: number[] = [];
  const started = performance.now();
  try {
    ftruncateSync(fd, FILE_BYTES);
    const deadline = started + durationMs;
    for (let offset = 0; performance.now() < deadline; offset = (offset + BLOCK.length) % FILE_BYTES) {
      writeSync(fd, BLOCK, 0, BLOCK.length, offset);
      const flushStarted = performance.now();
      fdatasyncSync(fd);
      latencies.push(performance.now() - flushStarted);
      await sleep(PAUSE_MS);
    }
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
  return summarizeFlushes(latencies, performance.now() - started);
}
