import { tmpdir } from 'node:os';
import { readdirSync } from 'node:fs';
import { probeFlushes, shareHeldPast10ms, summarizeFlushes } from './disk-flush';

describe('disk flush probe', () => {
  it('sorts the latencies, counts those over 10 ms and sums the time they spent past 10 ms', () => {
    expect(summarizeFlushes([12, 0.2, 10, 41, 0.3], 1000)).toEqual({
      sorted: [0.2, 0.3, 10, 12, 41],
      over10ms: 2,
      msPast10ms: 33,
      durationMs: 1000,
    });
  });

  it('holds past 10 ms the share of deliveries arriving in the late part of a slow flush', () => {
    // 33 ms past 10 ms in 1 s: at any even rate, 3.3 % of deliveries arrive while a flush is that late.
    expect(shareHeldPast10ms(summarizeFlushes([12, 0.2, 10, 41, 0.3], 1000))).toBeCloseTo(3.3, 10);
    expect(shareHeldPast10ms(summarizeFlushes([0.2, 9.9], 20_000))).toBe(0);
    expect(shareHeldPast10ms(summarizeFlushes([], 0))).toBeNaN();
  });

  it('times real flushes and leaves no file behind', async () => {
    const dir = tmpdir();
    const summary = await probeFlushes(dir, 200);
    expect(summary.sorted.length).toBeGreaterThan(0);
    expect(summary.sorted[0]).toBeGreaterThan(0);
    expect(summary.durationMs).toBeGreaterThanOrEqual(200);
    expect(readdirSync(dir).filter((name) => name.startsWith(`tollgate-flush-probe-${process.pid}`))).toEqual(
      [],
    );
  });

  it('fails where it cannot write', async () => {
    await expect(probeFlushes('/nonexistent-directory', 10)).rejects.toThrow('ENOENT');
  });
});
