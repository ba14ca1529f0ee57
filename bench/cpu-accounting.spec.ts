import { cpuWindow, readCpu } from './cpu-accounting';

const linux = process.platform === 'linux';

(linux ? describe : describe.skip)('cpu accounting', () => {
  it("accounts a process group's CPU and the machine's shares over a window", () => {
    const groups = { self: (p: { pid: number }) => p.pid === process.pid, none: () => false };
    const before = readCpu(groups)!;
    const until = Date.now() + 200;
    let spin = 0;
    while (Date.now() < until) spin++;
    const window = cpuWindow(before, readCpu(groups)!);
    expect(spin).toBeGreaterThan(0);
    // 200 ms of spinning, counted in 10 ms ticks; generous against a descheduled VM.
    expect(window.groups.self).toBeGreaterThanOrEqual(0.05);
    expect(window.groups.self).toBeLessThan(1);
    expect(window.groups.none).toBe(0);
    for (const share of [window.busy, window.iowait, window.steal]) {
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
    }
    expect(window.busy).toBeGreaterThan(0);
  });
});
