import { Client } from 'pg';
import {
  checkpointActivity,
  prepareWalSegments,
  segmentsCreated,
  walPosition,
  type WalPosition,
} from './wal-segments';

const MB16 = 16 * 1024 * 1024;
const at = (
  segment: number,
  offset: number,
  ready: number,
  checkpoints = 0,
  checkpointBytes = 0n,
): WalPosition => ({
  lsn: BigInt(segment * MB16 + offset),
  ready,
  segmentBytes: MB16,
  checkpoints,
  checkpointBytes,
});

describe('WAL segments ready ahead of the writer', () => {
  it('counts the segments entered beyond those ready at the start', () => {
    expect(segmentsCreated(at(10, 100, 3), at(10, 9000, 0))).toBe(0);
    expect(segmentsCreated(at(10, 100, 3), at(13, 0, 0))).toBe(0);
    expect(segmentsCreated(at(10, 100, 3), at(15, 5, 0))).toBe(2);
    expect(segmentsCreated(at(10, MB16 - 1, 0), at(11, 0, 0))).toBe(1);
  });

  it('reports the checkpoints started between two readings, what they wrote and the WAL written', () => {
    expect(checkpointActivity(at(10, 0, 3, 7, 8192n), at(12, 100, 0, 8, 8192n * 1858n))).toEqual({
      started: 1,
      writtenBytes: 8192 * 1857,
      walBytes: 2 * MB16 + 100,
    });
    expect(checkpointActivity(at(10, 0, 3, 7, 0n), at(10, 0, 3, 7, 0n))).toEqual({
      started: 0,
      writtenBytes: 0,
      walBytes: 0,
    });
  });

  it('switches past as many segments as are missing, then checkpoints, and does nothing when enough are ready', async () => {
    const ready = [2, 40];
    const queries: string[] = [];
    const client = {
      query: async (sql: string) => {
        queries.push(sql.trim().split(/\s+/).slice(0, 2).join(' '));
        return /pg_ls_waldir/.test(sql)
          ? {
              rows: [
                {
                  lsn: '1000',
                  ready: ready.shift(),
                  segment_bytes: MB16,
                  checkpoints: 0,
                  checkpoint_bytes: '0',
                },
              ],
            }
          : { rows: [] };
      },
    } as unknown as Client;
    expect(await prepareWalSegments(client, 5)).toEqual({ before: 2, after: 40 });
    const switches = queries.filter((q) => q === 'SELECT pg_switch_wal()');
    expect(switches).toHaveLength(4);
    expect(queries.at(-2)).toBe('CHECKPOINT');

    queries.length = 0;
    ready.push(7);
    expect(await prepareWalSegments(client, 5)).toEqual({ before: 7, after: 7 });
    expect(queries).toHaveLength(1);
  });

  it('reads the position from a real server', async () => {
    const client = new Client({
      connectionString: process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await client.connect();
    try {
      const position = await walPosition(client);
      expect(position.lsn).toBeGreaterThan(0n);
      expect(position.ready).toBeGreaterThanOrEqual(0);
      expect(position.segmentBytes).toBeGreaterThanOrEqual(1024 * 1024);
      expect(position.checkpoints).toBeGreaterThanOrEqual(0);
      expect(position.checkpointBytes).toBeGreaterThanOrEqual(0n);
    } finally {
      await client.end();
    }
  });
});
