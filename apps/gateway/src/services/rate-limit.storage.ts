/**
 * Where @nestjs/throttler counts hits: in Postgres (RateLimitCounterRepository), so a limit holds across all
 * gateway replicas instead of once per replica.
 * Fail-open: when Postgres errors or does not answer in time, the hit is counted in this replica's memory
 * (the library's own storage) and the request goes on; Postgres is tried again after a short pause, and a
 * warning is logged at most once a minute, never per request. An outage of the database must not lock every
 * client out; for its duration the limit is per replica again.
 * Windows are fixed (all hits of a window expire together at its end); the library's in-memory storage
 * expires each hit a window after it was made. Over a limit, both block the key for the block duration.
 */
import type { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { Logger } from 'pino';
import type { CounterState, RateLimitCounterRepository } from '../repositories/rate-limit-counter.repository';

/** What the guard reads back from a hit (the library does not export the type from its entry point). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface RateLimitStorageOptions {
  /** After a failure, hits are counted in memory for this long before Postgres is tried again. */
  retryAfterMs: number;
  /** At most one warning per this interval while Postgres fails. */
  warnEveryMs: number;
  /** How often expired counters are deleted; 0: never (tests). */
  sweepEveryMs: number;
  now: () => number;
}

export const DEFAULT_RATE_LIMIT_STORAGE_OPTIONS: RateLimitStorageOptions = {
  retryAfterMs: 2_000,
  warnEveryMs: 60_000,
  sweepEveryMs: 60_000,
  now: Date.now,
};

/** The record the throttler guard reads, from a counter's state; seconds rounded up as the library does. */
export function toThrottlerRecord(state: CounterState): ThrottlerStorageRecord {
  return {
    totalHits: state.hits,
    timeToExpire: Math.ceil(state.expiresInMs / 1000),
    isBlocked: state.blockedForMs !== null,
    timeToBlockExpire: state.blockedForMs !== null ? Math.ceil(state.blockedForMs / 1000) : 0,
  };
}

type Counters = Pick<RateLimitCounterRepository, 'increment' | 'deleteExpired' | 'close'>;

export class RateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly memory = new ThrottlerStorageService();
  private readonly options: RateLimitStorageOptions;
  private readonly sweeper?: NodeJS.Timeout;
  /** During an outage: when Postgres may be tried again. */
  private retryAt = 0;
  private failing = false;
  private warnedThisOutage = false;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  /** Failures not yet in a warning (suppressed by the once-a-minute rule). */
  private unreported = 0;

  constructor(
    private readonly counters: Counters,
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    private readonly fallbacks: { inc(): void } = { inc: () => undefined },
    options: Partial<RateLimitStorageOptions> = {},
  ) {
    this.options = { ...DEFAULT_RATE_LIMIT_STORAGE_OPTIONS, ...options };
    if (this.options.sweepEveryMs > 0) {
      this.sweeper = setInterval(() => void this.sweep(), this.options.sweepEveryMs);
      this.sweeper.unref();
    }
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    // The guard's keys already name the throttler (and are hashed: no IP or tenant id is stored as such).
    if (!this.failing || this.options.now() >= this.retryAt) {
      try {
        const record = toThrottlerRecord(await this.counters.increment(key, ttl, limit, blockDuration));
        this.recovered();
        return record;
      } catch (error) {
        this.failed(error);
      }
    }
    this.fallbacks.inc();
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Deletes expired counters; a failure is reported like a failed hit and left to the next sweep. */
  async sweep(): Promise<void> {
    try {
      await this.counters.deleteExpired();
    } catch (error) {
      this.unreported++;
      this.warn(error, 'rate-limit counters could not be swept; retrying at the next sweep');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.memory.onApplicationShutdown();
    await this.counters.close();
  }

  private failed(error: unknown): void {
    if (!this.failing) {
      this.failing = true;
      this.warnedThisOutage = false;
    }
    this.retryAt = this.options.now() + this.options.retryAfterMs;
    this.unreported++;
    if (
      this.warn(
        error,
        'rate-limit counters unavailable in Postgres; counting in this replica only (fail-open)',
      )
    )
      this.warnedThisOutage = true;
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    // Only the end of an outage whose start was logged: a flapping database logs twice a minute at most.
    if (this.warnedThisOutage) this.logger.info('rate-limit counters back in Postgres');
  }

  /** Logs unless a warning was logged less than `warnEveryMs` ago; answers whether it logged. */
  private warn(error: unknown, message: string): boolean {
    const now = this.options.now();
    if (now - this.lastWarnAt < this.options.warnEveryMs) return false;
    this.lastWarnAt = now;
    this.logger.warn(
      {
        err: error instanceof Error ? error.message : String(error),
        failuresSinceLastWarning: this.unreported,
      },
      message,
    );
    this.unreported = 0;
    return true;
  }
}
