import { IsIn, IsInt, Max, Min } from 'class-validator';

/**
 * Reconciliation's knobs, read from the environment by the billing service and by `npm run reconcile` alike
 * (property names are the variable names, initializers the defaults).
 */
export class ReconciliationSettings {
  /** Stripe requests per second the run may make (Stripe allows 25/s in test mode, 100/s live). */
  @IsInt() @Min(1) @Max(10_000) RECONCILE_RATE_PER_SECOND: number = 25;
  /** Requests that may go at once before the rate applies. */
  @IsInt() @Min(1) @Max(1000) RECONCILE_BURST: number = 1;
  /** Objects per list page (Stripe's maximum is 100). */
  @IsInt() @Min(1) @Max(100) RECONCILE_PAGE_SIZE: number = 100;
  /** Consecutive 429s tolerated on one request before the run stops (resumable). */
  @IsInt() @Min(0) @Max(100) RECONCILE_RATE_LIMIT_RETRIES: number = 10;
  /** How long a lease lives without a heartbeat (heartbeats every third of it). */
  @IsInt() @Min(500) @Max(3_600_000) RECONCILE_LEASE_TTL_MS: number = 60_000;
  /** Invoices created this many days back are compared. */
  @IsInt() @Min(1) @Max(400) RECONCILE_INVOICE_LOOKBACK_DAYS: number = 35;
  @IsIn(['true', 'false']) RECONCILE_CATCH_UP = 'true';
  /** A first run catches up this far back (Stripe's Events API keeps 30 days). */
  @IsInt() @Min(60) @Max(2_592_000) RECONCILE_CATCH_UP_MAX_LOOKBACK_SECONDS: number = 2_592_000;
  /** Later runs catch up from the previous run's start minus this overlap. */
  @IsInt() @Min(0) @Max(86_400) RECONCILE_CATCH_UP_OVERLAP_SECONDS: number = 300;
  @IsInt() @Min(1000) @Max(3_600_000) RECONCILE_CATCH_UP_TIMEOUT_MS: number = 600_000;
  /** How long to wait for billing's consumer to project what catch-up fed before diffing. */
  @IsInt() @Min(0) @Max(3_600_000) RECONCILE_DRAIN_TIMEOUT_MS: number = 120_000;
  /** An interrupted run is resumed this many times in all before it is given up as failed. */
  @IsInt() @Min(1) @Max(100) RECONCILE_MAX_ATTEMPTS: number = 3;
  @IsInt() @Min(1) @Max(64) RECONCILE_REPAIR_CONCURRENCY: number = 4;
}
