/**
 * Stripe's rate limit, kept on our side: a GCRA token bucket (`ratePerSecond`, `burst` requests at once,
 * then evenly spaced), shared by every walk of a run; a 429 pushes the whole bucket back by an exponential
 * backoff with jitter, so every caller slows down, not just the one that was refused.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiterOptions {
  ratePerSecond: number;
  burst?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** 0..1: backoff is multiplied by a factor in [1 - jitter, 1]. */
  jitter?: number;
  random?: () => number;
}

export class RequestRateLimiter {
  private readonly interval: number;
  private readonly tolerance: number;
  /** Theoretical arrival time of the next request (GCRA). */
  private tat = 0;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(
    options: RateLimiterOptions,
    private readonly clock: Clock = realClock,
  ) {
    if (!(options.ratePerSecond > 0)) throw new Error('ratePerSecond must be positive');
    this.interval = 1000 / options.ratePerSecond;
    this.tolerance = this.interval * Math.max(0, (options.burst ?? 1) - 1);
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 16_000;
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
  }

  /** Waits for this request's slot. Slots are handed out in call order. */
  async acquire(): Promise<void> {
    const now = this.clock.now();
    const tat = Math.max(this.tat, now);
    const start = tat - this.tolerance;
    this.tat = tat + this.interval;
    if (start > now) await this.clock.sleep(start - now);
  }

  /** After the `attempt`-th consecutive 429 (1-based): every later slot moves back by the backoff. */
  backoff(attempt: number): number {
    const raw = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    const delay = raw * (1 - this.jitter * this.random());
    this.tat = Math.max(this.tat, this.clock.now()) + delay;
    return delay;
  }
}
