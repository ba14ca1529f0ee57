import { RequestRateLimiter, type Clock } from './request-rate.limiter';

/** A clock that only moves when someone sleeps. */
class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

describe('RequestRateLimiter', () => {
  it('spaces requests evenly at the configured rate, never faster', async () => {
    const clock = new FakeClock();
    const limiter = new RequestRateLimiter({ ratePerSecond: 25 }, clock);
    const at: number[] = [];
    for (let i = 0; i < 50; i++) {
      await limiter.acquire();
      at.push(clock.now());
    }
    expect(at[0]).toBe(0);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeCloseTo(40, 6);
    // 50 requests at 25/s: the 50th goes at 1.96 s, i.e. exactly the floor.
    expect(at[49]).toBeCloseTo(1960, 6);
  });

  it('lets a burst through at once, then the rate applies', async () => {
    const clock = new FakeClock();
    const limiter = new RequestRateLimiter({ ratePerSecond: 10, burst: 5 }, clock);
    for (let i = 0; i < 5; i++) await limiter.acquire();
    expect(clock.now()).toBe(0);
    await limiter.acquire();
    expect(clock.now()).toBeCloseTo(100, 6);
  });

  it('does not bank unused time beyond the burst', async () => {
    const clock = new FakeClock();
    const limiter = new RequestRateLimiter({ ratePerSecond: 10 }, clock);
    await limiter.acquire();
    clock.t += 5000; // idle
    await limiter.acquire();
    await limiter.acquire();
    expect(clock.now()).toBeCloseTo(5100, 6);
  });

  it('backs off exponentially after 429s, capped, and delays every later slot', async () => {
    const clock = new FakeClock();
    const limiter = new RequestRateLimiter(
      { ratePerSecond: 100, backoffBaseMs: 500, backoffMaxMs: 4000, jitter: 0.5, random: () => 0 },
      clock,
    );
    expect([1, 2, 3, 4, 5].map((n) => limiter.backoff(n))).toEqual([500, 1000, 2000, 4000, 4000]);
    await limiter.acquire();
    expect(clock.now()).toBe(11_500);
    const jittered = new RequestRateLimiter({ ratePerSecond: 1, jitter: 0.5, random: () => 1 }, clock);
    expect(jittered.backoff(1)).toBe(250);
  });
});
