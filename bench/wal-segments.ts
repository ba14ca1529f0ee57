/**
 * A property of the database server, not of Tollgate: whether the WAL segments a run will write already exist.
 * Postgres writes its WAL into 16 MB segment files. A server that has been under load keeps the segments a
 * checkpoint no longer needs and reuses them (renamed) for the WAL to come. A server that has been idle has
 * only a few, so under a new load the commit that first crosses into a new segment creates it: 16 MB of zeros
 * written and flushed while it holds the WAL write lock, and every other commit waits. On session 10's machine
 * that took 9 to 15 ms every 5.7 s at 1,000 ev/s, and 111 of a minute's 500 answers over 10 ms were in flight
 * during one.
 *
 * The bench measures the pipeline as it runs in production, against a server in the steady state a sustained
 * load leaves it in. So before the ingest phases it makes sure enough segments are ready: it moves the WAL on
 * by whole segments (`pg_switch_wal`) and checkpoints, which turns those segments into ready ones, and it
 * reports, for each steady window, how many segments the server still had to create. Needs a superuser (or
 * the pg_checkpoint and pg_monitor roles and EXECUTE on pg_switch_wal). docs/operations.md says how to keep a
 * production server out of this state: a `min_wal_size` that covers a checkpoint interval at peak load.
 *
 * The same reading counts checkpoints (`pg_stat_bgwriter`): one started by the run's own WAL volume (every
 * ~540 MB with the stock `max_wal_size`) writes the dirty pages out over half a minute, and each window reports
 * how many checkpoints started in it and how much they wrote meanwhile, so a window that met one says so.
 */
import type { Client } from 'pg';

/** Segments to have ready before the ingest phases: about 500 MB, what one replica count's phases write. */
export const READY_SEGMENTS = 32;

export interface WalPosition {
  /** Bytes of WAL written since the cluster began (the insert position). */
  lsn: bigint;
  /** Segment files in pg_wal past the one being written: ready for the WAL to come. */
  ready: number;
  segmentBytes: number;
  /** Checkpoints started since the statistics were reset (timed and requested). */
  checkpoints: number;
  /** Bytes that checkpoints have written since then (`buffers_checkpoint` pages). */
  checkpointBytes: bigint;
}

export async function walPosition(client: Client): Promise<WalPosition> {
  const { rows } = await client.query<{
    lsn: string;
    ready: number;
    segment_bytes: number;
    checkpoints: number;
    checkpoint_bytes: string;
  }>(
    `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn,
            (SELECT count(*)::int FROM pg_ls_waldir()
              WHERE name ~ '^[0-9A-F]{24}$' AND name > pg_walfile_name(pg_current_wal_lsn())) AS ready,
            (SELECT setting::int FROM pg_settings WHERE name = 'wal_segment_size') AS segment_bytes,
            (SELECT (checkpoints_timed + checkpoints_req)::int FROM pg_stat_bgwriter) AS checkpoints,
            (SELECT (buffers_checkpoint * current_setting('block_size')::bigint)::text
               FROM pg_stat_bgwriter) AS checkpoint_bytes`,
  );
  const row = rows[0];
  return {
    lsn: BigInt(row.lsn),
    ready: row.ready,
    segmentBytes: row.segment_bytes,
    checkpoints: row.checkpoints,
    checkpointBytes: BigInt(row.checkpoint_bytes),
  };
}

/** What checkpoints did between two readings, beside the WAL written meanwhile. */
export function checkpointActivity(
  start: WalPosition,
  end: WalPosition,
): { started: number; writtenBytes: number; walBytes: number } {
  return {
    started: end.checkpoints - start.checkpoints,
    writtenBytes: Number(end.checkpointBytes - start.checkpointBytes),
    walBytes: Number(end.lsn - start.lsn),
  };
}

/**
 * Makes at least `wanted` segments ready (once written and past a checkpoint, the server recycles them).
 * Returns how many were ready before and after.
 */
export async function prepareWalSegments(
  client: Client,
  wanted = READY_SEGMENTS,
): Promise<{ before: number; after: number }> {
  const before = (await walPosition(client)).ready;
  if (before >= wanted) return { before, after: before };
  for (let i = 0; i <= wanted - before; i++) {
    // pg_switch_wal does nothing if no WAL was written since the last switch; a transaction id writes some.
    await client.query('SELECT txid_current()');
    await client.query('SELECT pg_switch_wal()');
  }
  await client.query('CHECKPOINT');
  return { before, after: (await walPosition(client)).ready };
}

/**
 * Segments the server had to create between two positions: those the WAL entered beyond the ones ready at
 * the start. A checkpoint in between can only add ready segments, so this is an upper bound.
 */
export function segmentsCreated(start: WalPosition, end: WalPosition): number {
  const size = BigInt(start.segmentBytes);
  const entered = Number(end.lsn / size - start.lsn / size);
  return Math.max(0, entered - start.ready);
}
