import type { CounterState } from '../repositories/rate-limit-counter.repository';
import { RateLimitStorage, toThrottlerRecord, type RateLimitStorageOptions } from './rate-limit.storage';

const MINUTE = 60_000;

function fakeCounters(increment: (key: string) => Promise<CounterState>) {
  return {
    increment: jest.fn(increment),
    deleteExpired: jest.fn(async () => 0),
    close: jest.fn(async () => undefined),
  };
}

function storageWith(
  counters: ReturnType<typeof fakeCounters>,
  options: Partial<RateLimitStorageOptions> = {},
) {
  const clock = { now: 1_000_000 };
  const logger = { warn: jest.fn(), info: jest.fn() };
  const fallbacks = { inc: jest.fn() };
  const storage = new RateLimitStorage(counters, logger as never, fallbacks, {
    sweepEveryMs: 0,
    retryAfterMs: 2_000,
    warnEveryMs: MINUTE,
    now: () => clock.now,
    ...options,
  });
  return { storage, clock, logger, fallbacks };
}

const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));

describe('toThrottlerRecord', () => {
  it('rounds the time left up to whole seconds, as the library does, and reports no block when not blocked', () => {
    expect(toThrottlerRecord({ hits: 3, expiresInMs: 59_001, blockedForMs: null })).toEqual({
      totalHits: 3,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('reports a block with the seconds it has left, at least the part of a second that remains', () => {
    expect(toThrottlerRecord({ hits: 6, expiresInMs: 12_000, blockedForMs: 200 })).toEqual({
      totalHits: 6,
      timeToExpire: 12,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
  });
});

describe('RateLimitStorage', () => {
  const storages: RateLimitStorage[] = [];
  afterEach(async () => {
    await Promise.all(storages.splice(0).map((s) => s.onApplicationShutdown()));
  });
  const track = <T extends { storage: RateLimitStorage }>(made: T): T => {
    storages.push(made.storage);
    return made;
  };

  it('counts in Postgres and answers its record', async () => {
    const counters = fakeCounters(async () => ({ hits: 6, expiresInMs: 30_000, blockedForMs: 45_000 }));
    const { storage, fallbacks } = track(storageWith(counters));
    const record = await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
    expect(counters.increment).toHaveBeenCalledWith('k', MINUTE, 5, MINUTE);
    expect(record).toEqual({ totalHits: 6, timeToExpire: 30, isBlocked: true, timeToBlockExpire: 45 });
    expect(fallbacks.inc).not.toHaveBeenCalled();
  });

  it('fails open to counting in memory, where the limit still holds, when Postgres fails', async () => {
    const counters = fakeCounters(down);
    const { storage, fallbacks } = track(storageWith(counters));
    const records = [];
    for (let i = 0; i < 3; i++) records.push(await storage.increment('k', MINUTE, 2, MINUTE, 'tenant'));
    expect(records.map((r) => r.isBlocked)).toEqual([false, false, true]);
    expect(records[2].timeToBlockExpire).toBe(60);
    expect(fallbacks.inc).toHaveBeenCalledTimes(3);
  });

  it('leaves Postgres alone for a pause after a failure, then counts there again and says so once', async () => {
    let available = false;
    const counters = fakeCounters(async () => {
      if (!available) return down();
      return { hits: 1, expiresInMs: MINUTE, blockedForMs: null };
    });
    const { storage, clock, logger } = track(storageWith(counters));
    await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
    await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
    expect(counters.increment).toHaveBeenCalledTimes(1);

    available = true;
    clock.now += 2_000;
    await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
    await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
    expect(counters.increment).toHaveBeenCalledTimes(3);
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith('rate-limit counters back in Postgres');
  });

  it('warns at most once a minute while Postgres keeps failing, with the failures it did not report', async () => {
    const counters = fakeCounters(down);
    const { storage, clock, logger } = track(storageWith(counters));
    // One attempt every 2 s (each after the pause) for 90 s.
    for (let t = 0; t < 45; t++) {
      await storage.increment(`k${t}`, MINUTE, 5, MINUTE, 'tenant');
      clock.now += 2_000;
    }
    expect(counters.increment).toHaveBeenCalledTimes(45);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[0]![0]).toMatchObject({
      err: 'connect ECONNREFUSED 127.0.0.1:5432',
      failuresSinceLastWarning: 1,
    });
    expect(logger.warn.mock.calls[1]![0]).toMatchObject({ failuresSinceLastWarning: 30 });
  });

  it('does not log the end of an outage whose start it did not log', async () => {
    let available = true;
    const counters = fakeCounters(async () =>
      available ? { hits: 1, expiresInMs: MINUTE, blockedForMs: null } : down(),
    );
    const { storage, clock, logger } = track(storageWith(counters));
    for (let flap = 0; flap < 3; flap++) {
      available = false;
      await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
      clock.now += 2_000;
      available = true;
      await storage.increment('k', MINUTE, 5, MINUTE, 'tenant');
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledTimes(1);
  });

  it('reports a failed sweep without throwing', async () => {
    const counters = fakeCounters(down);
    counters.deleteExpired.mockRejectedValue(new Error('terminating connection'));
    const { storage, logger } = track(storageWith(counters));
    await expect(storage.sweep()).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ err: 'terminating connection' }),
      expect.stringContaining('swept'),
    );
  });

  it('closes the pool on shutdown', async () => {
    const counters = fakeCounters(down);
    const { storage } = storageWith(counters);
    await storage.onApplicationShutdown();
    expect(counters.close).toHaveBeenCalled();
  });
});
