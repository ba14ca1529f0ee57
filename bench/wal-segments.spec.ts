import { Client } from 'pg';
import { prepareWalSegments, segmentsCreated, walPosition, type WalPosition } from './wal-segments';

const MB16 = 16 * 1024 * 1024;
const at = (segment: number, offset: number, ready: number): WalPosition => ({
  lsn: BigInt(segment * MB16 + offset),
  ready,
  segmentBytes: MB16,
});

describe('WAL segments ready ahead of the writer', () => {
  it('counts the segments entered beyond those ready at the start', () => {
    expect(segmentsCreated(at(10, 100, 3), at(10, 9000, 0))).toBe(0);
    expect(segmentsCreated(at(10, 100, 3), at(13, 0, 0))).toBe(0);
    expect(segmentsCreated(at(10, 100, 3), at(15, 5, 0))).toBe(2);
    expect(segmentsCreated(at(10, MB16 - 1, 0), at(11, 0, 0))).toBe(1);
  });

  it('switches past as many segments as are missing, then checkpoints, and does nothing when enough are ready', async () => {
    const ready = [2, 40];
    const queries: string[] = [];
    const client = {
      query: async (sql: string) => {
        queries.push(sql.trim().split(/\s+/).slice(0, 2).join(' '));
        return /pg_ls_waldir/.test(sql)
          ? { rows: [{ lsn: '1000', ready: ready.shift(), segment_bytes: MB16 }] }
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
    } finally {
      await client.end();
    }
  });
});
