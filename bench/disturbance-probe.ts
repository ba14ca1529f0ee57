/**
 * The disturbance probe (see disturbances.ts), a process of its own so that neither the load generator's nor
 * the services' work can delay it: a 5 ms timer that records when it fires late, and every 10 ms the bytes the
 * machine's disks completed writing. The probe costs about 1 % of one core (a 1 ms timer cost 5 %). Kept in memory for the whole benchmark (a few hundred kilobytes), and
 * answered for any window over IPC. Started by DisturbanceProbe.start().
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { DisturbanceSamples } from './disturbances';
import { monotonicMs } from './disturbances';

const TICK_MS = 5;
/** Lateness recorded (the analysis decides what counts as a stall). */
const RECORD_LATE_MS = 5;
const WRITE_SAMPLE_MS = 10;
const SECTOR_BYTES = 512;

/** Whole physical disks only: partitions, loop, zram and device-mapper devices would count writes twice. */
function physicalDisks(): string[] {
  return readdirSync('/sys/block').filter((name) => existsSync(`/sys/block/${name}/device`));
}

function bytesWritten(disks: string[]): number {
  let sectors = 0;
  // Field 7 of a disk's stat is sectors written, always of 512 bytes (the kernel's block/stat documentation).
  for (const disk of disks)
    sectors += Number(readFileSync(`/sys/block/${disk}/stat`, 'latin1').trim().split(/\s+/)[6]);
  return sectors * SECTOR_BYTES;
}

function probe(): void {
  const disks = physicalDisks();
  const samples: DisturbanceSamples = { stalls: [], writes: [] };
  let lastTick = monotonicMs();
  let lastBytes = bytesWritten(disks);
  let lastSample = lastTick;
  setInterval(() => {
    const now = monotonicMs();
    // Due one tick after the last one; anything beyond that is lateness.
    const late = now - lastTick - TICK_MS;
    if (late >= RECORD_LATE_MS) samples.stalls.push([lastTick + TICK_MS, late]);
    lastTick = now;
    if (now - lastSample >= WRITE_SAMPLE_MS) {
      const bytes = bytesWritten(disks);
      samples.writes.push([now, bytes - lastBytes]);
      lastBytes = bytes;
      lastSample = now;
    }
  }, TICK_MS);
  process.on('message', (message) => {
    const { from, to } = message as { from: number; to: number };
    process.send!({
      stalls: samples.stalls.filter(([at]) => at >= from && at <= to),
      writes: samples.writes.filter(([at]) => at >= from && at <= to),
    } satisfies DisturbanceSamples);
  });
  process.send!('ready');
}

if (require.main === module) probe();
