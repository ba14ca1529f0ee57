import { canPin, roundTripMicros } from './cross-cpu';

describe('loopback round trip between pinned processes', () => {
  // Where processes cannot be pinned (not Linux, one CPU, no taskset) the bench leaves the row out.
  const onPinnableMachine = canPin() ? it : it.skip;

  onPinnableMachine(
    'measures a positive mean per round trip for both pairings',
    async () => {
      const same = await roundTripMicros(0, 0, 500);
      const cross = await roundTripMicros(0, 1, 500);
      // Loopback on one machine: well under a second per round trip, and never free.
      for (const micros of [same, cross]) {
        expect(micros).toBeGreaterThan(0);
        expect(micros).toBeLessThan(1_000_000);
      }
    },
    30_000,
  );

  onPinnableMachine(
    'fails loudly rather than report a figure when the client cannot run',
    async () => {
      await expect(roundTripMicros(0, 4096, 10)).rejects.toThrow('round trip probe failed');
    },
    30_000,
  );
});
