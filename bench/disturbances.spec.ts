import {
  BURST_BYTES_PER_MS,
  disturbances,
  inFlightDuring,
  longestStall,
  mostWrittenWithin,
  STALL_MS,
  type DisturbanceSamples,
} from './disturbances';

const MB = 1024 * 1024;
/** A sample every 10 ms from t=0 writing `steady` bytes, except at the given sample times. */
function writes(until: number, steady: number, at: Record<number, number> = {}): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t <= until; t += 10) out.push([t, at[t] ?? steady]);
  return out;
}

describe('disturbances', () => {
  it('finds stalls of at least STALL_MS and ignores shorter lateness', () => {
    const samples: DisturbanceSamples = {
      stalls: [
        [100, STALL_MS - 1],
        [200, STALL_MS],
        [500, 75],
      ],
      writes: [],
    };
    expect(disturbances(samples)).toEqual([
      { kind: 'stall', from: 200, to: 200 + STALL_MS, size: STALL_MS },
      { kind: 'stall', from: 500, to: 575, size: 75 },
    ]);
  });

  it('merges consecutive fast-writing samples into one burst and leaves steady traffic alone', () => {
    // Steady WAL traffic: 120 KB per 10 ms, well under the threshold; then 60 MB in 30 ms, then 5 MB alone.
    const samples = {
      stalls: [],
      writes: writes(200, 120 * 1024, { 50: 20 * MB, 60: 30 * MB, 70: 10 * MB, 150: 5 * MB }),
    };
    expect(disturbances(samples)).toEqual([
      { kind: 'writeback', from: 40, to: 70, size: 60 * MB },
      { kind: 'writeback', from: 140, to: 150, size: 5 * MB },
    ]);
  });

  it('judges a sample by its rate, so a late sample is not a burst for being late', () => {
    const justUnder = BURST_BYTES_PER_MS * 40 - 1;
    const samples = {
      stalls: [],
      writes: [
        [0, 0],
        [40, justUnder],
      ] as [number, number][],
    };
    expect(disturbances(samples)).toEqual([]);
  });

  it('orders stalls and bursts by when they began', () => {
    const samples = { stalls: [[55, 30]] as [number, number][], writes: writes(100, 0, { 30: 4 * MB }) };
    expect(disturbances(samples).map((d) => [d.kind, d.from])).toEqual([
      ['writeback', 20],
      ['stall', 55],
    ]);
  });
});

describe('mostWrittenWithin', () => {
  it('sums the heaviest whole samples covering no more than the span', () => {
    const samples = { stalls: [], writes: writes(300, 1 * MB, { 100: 10 * MB, 150: 20 * MB, 250: 25 * MB }) };
    // (90, 190] holds 10 + 20 + 8 x 1 MB; no 100 ms holds both the 20 and the 25 MB samples.
    expect(mostWrittenWithin(samples, 100)).toBe(38 * MB);
    expect(mostWrittenWithin(samples, 10)).toBe(25 * MB);
  });

  it('is zero without samples', () => {
    expect(mostWrittenWithin({ stalls: [], writes: [] }, 100)).toBe(0);
  });
});

describe('longestStall', () => {
  it('answers the longest lateness recorded, or zero', () => {
    expect(
      longestStall({
        stalls: [
          [1, 6],
          [2, 40],
          [3, 9],
        ],
        writes: [],
      }),
    ).toBe(40);
    expect(longestStall({ stalls: [], writes: [] })).toBe(0);
  });
});

describe('inFlightDuring', () => {
  const stall = { kind: 'stall' as const, from: 100, to: 175, size: 75 };
  it('counts answers whose flight overlaps a disturbance, and only those', () => {
    const answers = [
      { dueAt: 90, ms: 5 }, // answered before it began
      { dueAt: 90, ms: 15 }, // in flight when it began
      { dueAt: 120, ms: 70 }, // due during it
      { dueAt: 175, ms: 12 }, // due as it ended: queued behind it, not in flight during it
    ];
    expect(inFlightDuring(answers, [stall])).toBe(2);
  });

  it('counts an answer once however many disturbances it overlaps', () => {
    const burst = { kind: 'writeback' as const, from: 150, to: 200, size: 50 * MB };
    expect(inFlightDuring([{ dueAt: 140, ms: 30 }], [stall, burst])).toBe(1);
  });
});
