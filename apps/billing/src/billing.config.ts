import { IsIn, IsInt, IsNumber, IsOptional, IsUrl, Matches, Max, Min } from 'class-validator';
import { MIN_DEDUPE_RETENTION_DAYS, PlatformConfig, RetentionDays } from '@tollgate/config';

/** Billing's environment: property names are the variable names, initializers the defaults. */
export class BillingConfig extends PlatformConfig {
  @IsInt() @Min(0) @Max(65_535) BILLING_PORT: number = 3002;

  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, {
    message: 'STRIPE_SECRET_KEY must be a Stripe secret key (sk_...)',
  })
  STRIPE_SECRET_KEY!: string;

  /** e.g. http://127.0.0.1:12111 for the emulator; unset means Stripe itself. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'STRIPE_API_BASE must be an http(s) URL' },
  )
  STRIPE_API_BASE?: string;

  /** Where the gateway serves the billing page: checkout and portal come back to `${PUBLIC_BASE_URL}/billing`. */
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'PUBLIC_BASE_URL must be an http(s) URL' },
  )
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** Ensure the catalog's Stripe products and prices exist at boot. */
  @IsIn(['true', 'false']) BILLING_SYNC_CATALOG = 'true';

  @IsInt() @Min(1) @Max(64) BILLING_CONSUMER_CONCURRENCY: number = 4;

  @IsInt() @Min(1) @Max(100) BILLING_MAX_DELIVER: number = 5;

  /** How often the outbox relay looks for unpublished rows when nothing woke it. */
  @IsInt() @Min(10) @Max(60_000) BILLING_OUTBOX_POLL_MS: number = 250;

  /**
   * The dunning ladder (dunning-ladder.policy.ts), in days after the first failed payment: reminder, urgent
   * email, end of the grace period (suspension). Must increase; fractions allowed.
   */
  @IsNumber() @Min(0) @Max(365) BILLING_DUNNING_REMINDER_DAYS: number = 3;

  @IsNumber() @Min(0) @Max(365) BILLING_DUNNING_URGENT_DAYS: number = 5;

  @IsNumber() @Min(0) @Max(365) BILLING_GRACE_DAYS: number = 7;

  /**
   * A dunning stage due at about the time of one of Stripe's retries waits up to this long after its start for
   * that retry's outcome (dunning-ladder.policy.ts, `awaitsRetry`): a success sends no reminder at all, a
   * failure sends it with the following retry's date. 0 turns the wait off.
   */
  @IsNumber() @Min(0) @Max(24 * 60) BILLING_DUNNING_RETRY_WAIT_MINUTES: number = 120;

  /** How often the scheduler looks for due dunning stages and held plans reaching their end. */
  @IsInt() @Min(10) @Max(3_600_000) BILLING_SCHEDULER_POLL_MS: number = 30_000;

  /**
   * Days billing keeps the record that it applied a Stripe event (`processed_events`, the effect dedupe);
   * 0 keeps every record for ever. Keep it at least as long as webhooks' WEBHOOK_INBOX_RETENTION_DAYS: an
   * operator's republish can bring back any event the inbox still holds, and this record is what makes its
   * second delivery a no-op. At least 31 days, whatever the inbox's.
   */
  @RetentionDays(MIN_DEDUPE_RETENTION_DAYS) BILLING_PROCESSED_EVENTS_RETENTION_DAYS: number = 90;

  /**
   * Days billing keeps an outbox row once it is published; 0 keeps every row for ever. The operator's
   * republish (`POST /v1/operator/billing-events/republish`) can hand back only rows still kept.
   */
  @RetentionDays(1) BILLING_OUTBOX_RETENTION_DAYS: number = 7;

  /** How often each replica deletes the rows past their retention. */
  @IsInt() @Min(1000) @Max(86_400_000) BILLING_PRUNE_INTERVAL_MS: number = 3_600_000;
}
