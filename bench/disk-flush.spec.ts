import { tmpdir } from 'node:os';
import { readdirSync } from 'node:fs';
import { probeFlushes, summarizeFlushes } from './disk-flush';

describe('disk flush probe', () => {
  it('sorts the latencies and counts those over 10 ms', () => {
    expect(summarizeFlushes([12, 0.2, 10, 41, 0.3])).toEqual({ sorted: [0.2, 0.3, 10, 12, 41], over10ms: 2 });
  });

  it('times real flushes and leaves no file behind', async () => {
    const dir = tmpdir();
    const summary = await probeFlushes(dir, 200);
    expect(summary.sorted.length).toBeGreaterThan(0);
    expect(summary.sorted[0]).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((name) => name.startsWith(`tollgate-flush-probe-${process.pid}`))).toEqual(
      [],
    );
  });

  it('fails where it cannot write', async () => {
    await expect(probeFlushes('/nonexistent-directory', 10)).rejects.toThrow('ENOENT');
  });
});
