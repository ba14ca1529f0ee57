/**
 * Where a benchmark window's CPU went, read from Linux's /proc: CPU time per process group (the service under
 * test, Postgres, the NATS server, the load generator...) and the machine's idle, I/O wait and steal shares.
 * Steal is time the hypervisor ran someone else while this VM wanted the CPU: on a shared host it is the
 * part of a latency tail no code of ours can remove. Figures are CPU time (user + system) over wall time, so
 * they do not depend on how busy the machine was, only on what the code does. Elsewhere than Linux, `read`
 * answers undefined and the benchmark leaves these rows out.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's counters (USER_HZ): 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcessInfo {
  pid: number;
  /** The executable's name as the kernel reports it (`postgres`, `nats-server`, `node`...). */
  comm: string;
}

/** A named set of processes whose CPU is summed, such as every `postgres` process. */
export type ProcessGroups = Record<string, (process: ProcessInfo) => boolean>;

export interface CpuReading {
  /** CPU seconds (user + system) each group had used so far, by group name. */
  groups: Record<string, number>;
  /** The machine's counters, in seconds summed over every CPU. */
  machine: { total: number; idle: number; iowait: number; steal: number };
}

export interface CpuWindow {
  /** CPU seconds each group used during the window. */
  groups: Record<string, number>;
  /** Shares of the machine's CPU time during the window, 0 to 1. */
  busy: number;
  iowait: number;
  steal: number;
}

function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // the process exited while the list was read
    }
  }
  return out;
}

function processSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Reads the counters now; undefined where /proc is not Linux's. */
export function readCpu(groups: ProcessGroups): CpuReading | undefined {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((n) => Number(n) / TICKS_PER_SECOND);
  const sums: Record<string, number> = Object.fromEntries(Object.keys(groups).map((name) => [name, 0]));
  for (const process of processes())
    for (const [name, member] of Object.entries(groups))
      if (member(process)) sums[name] += processSeconds(process.pid);
  return {
    groups: sums,
    machine: { total: user + nice + system + idle + iowait + irq + softirq + steal, idle, iowait, steal },
  };
}

export function cpuWindow(before: CpuReading, after: CpuReading): CpuWindow {
  const total = after.machine.total - before.machine.total;
  const share = (key: 'idle' | 'iowait' | 'steal') =>
    total > 0 ? (after.machine[key] - before.machine[key]) / total : NaN;
  return {
    groups: Object.fromEntries(
      Object.keys(after.groups).map((name) => [name, after.groups[name] - (before.groups[name] ?? 0)]),
    ),
    busy: 1 - share('idle') - share('iowait') - share('steal'),
    iowait: share('iowait'),
    steal: share('steal'),
  };
}
