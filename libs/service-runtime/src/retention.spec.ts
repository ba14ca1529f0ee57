import pino from 'pino';
import { RetentionPasses, retentionHorizon, type RetainedTable } from './retention';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-11-21T12:00:00Z');

/** A table of `rows` ages (in days), deleting the oldest first as a statement would. */
function table(
  name: string,
  days: number,
  ages: number[],
): RetainedTable & { calls: Date[]; left: () => number[] } {
  let rows = [...ages].sort((a, b) => b - a);
  const calls: Date[] = [];
  return {
    name,
    days,
    calls,
    left: () => rows,
    prune: async (before, limit) => {
      calls.push(before);
      const old = rows.filter((age) => NOW.getTime() - age * DAY_MS < before.getTime()).slice(0, limit);
      rows = rows.slice(old.length);
      return old.length;
    },
  };
}

describe('RetentionPasses', () => {
  const logger = pino({ level: 'silent' });

  it('deletes batch after batch until a statement deletes fewer than a batch, table by table', async () => {
    const a = table('a', 30, [40, 35, 31, 31, 31, 29, 1]);
    const b = table('b', 7, [8, 6]);
    const counted: [string, number][] = [];
    const passes = new RetentionPasses([a, b], 1000, logger, (t, n) => counted.push([t, n]), 2);

    expect(await passes.pruneOnce(NOW)).toEqual({ a: 5, b: 1 });
    expect(a.left()).toEqual([29, 1]);
    expect(b.left()).toEqual([6]);
    expect(counted).toEqual([
      ['a', 2],
      ['a', 2],
      ['a', 1],
      ['b', 1],
    ]);
    expect(a.calls[0]).toEqual(new Date(NOW.getTime() - 30 * DAY_MS));
  });

  it('never touches a table kept for ever', async () => {
    const forever = table('forever', 0, [1000]);
    const passes = new RetentionPasses([forever], 1000, logger, () => undefined);
    expect(await passes.pruneOnce(NOW)).toEqual({ forever: 0 });
    expect(forever.calls).toEqual([]);
    expect(retentionHorizon(0, NOW)).toBeNull();
  });

  it('starts no statement once stopped', async () => {
    const a = table('a', 1, [5, 5, 5, 5]);
    const passes = new RetentionPasses([a], 1000, logger, () => undefined, 1);
    await passes.stop();
    expect(await passes.pruneOnce(NOW)).toEqual({ a: 0 });
    expect(a.calls).toEqual([]);
  });
});
