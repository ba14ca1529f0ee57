import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MIN_DEDUPE_RETENTION_DAYS, PlatformConfig, RetentionDays, csv } from '@tollgate/config';

/** The event families Tollgate acts on; anything else is recorded as ignored (and counted), never an error. */
export const DEFAULT_EVENT_ALLOWLIST = [
  'checkout.session.*',
  'customer.*',
  'invoice.*',
  'invoice_payment.*',
  'payment_method.*',
  'payment_intent.*',
].join(',');

const SECRETS = /^\s*whsec_[^\s,]+\s*(,\s*whsec_[^\s,]+\s*)*$/;
const PATTERN = '(\\*|[a-z0-9_]+(\\.[a-z0-9_]+)*(\\.\\*)?)';
const ALLOWLIST = new RegExp(`^\\s*${PATTERN}\\s*(,\\s*${PATTERN}\\s*)*$`);

export class WebhooksConfig extends PlatformConfig {
  @IsInt() @Min(0) @Max(65_535) WEBHOOKS_PORT: number = 3001;

  /** Comma-separated signing secrets; during a rotation both the old and the new one are listed. */
  @Matches(SECRETS, { message: 'STRIPE_WEBHOOK_SECRETS must be comma-separated whsec_... secrets' })
  STRIPE_WEBHOOK_SECRETS!: string;

  /** How far a signature's timestamp may lie from our clock, in either direction. */
  @IsInt() @Min(1) @Max(86_400) STRIPE_WEBHOOK_TOLERANCE_SECONDS: number = 300;

  /** Larger bodies are refused with 413 before they are read in full, parsed or hashed. */
  @IsInt() @Min(1024) @Max(4 * 1024 * 1024) WEBHOOK_MAX_BODY_BYTES: number = 512 * 1024;

  /** Event types published downstream: exact types, `prefix.*`, or `*`. */
  @Matches(ALLOWLIST, {
    message: 'STRIPE_EVENT_ALLOWLIST must be comma-separated event types or prefix.* patterns',
  })
  STRIPE_EVENT_ALLOWLIST = DEFAULT_EVENT_ALLOWLIST;

  /** Needed only for catch-up (listing events through Stripe's Events API). */
  @IsOptional() @IsString() STRIPE_SECRET_KEY?: string;
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'STRIPE_API_BASE must be an http(s) URL' })
  STRIPE_API_BASE?: string;

  /** How often the relay looks for recorded events whose publication failed or was interrupted. */
  @IsInt() @Min(10) @Max(60_000) WEBHOOK_RELAY_INTERVAL_MS: number = 1000;
  /** A new row is left to its own request this long before the relay may take it over. */
  @IsInt() @Min(0) @Max(600_000) WEBHOOK_RELAY_GRACE_MS: number = 10_000;
  /** Longest wait between two publication attempts of one event. */
  @IsInt() @Min(100) @Max(3_600_000) WEBHOOK_RELAY_MAX_BACKOFF_MS: number = 60_000;

  @IsIn(['true', 'false']) WEBHOOK_RELAY_ENABLED = 'true';

  /**
   * Days an inbox row is kept once it is published or ignored; 0 keeps every row for ever. At least 31: the
   * inbox must still hold the id of every event Stripe's Events API can list (30 days) for catch-up to tell
   * which are new, and Stripe stops retrying a delivery after 3 days.
   */
  @RetentionDays(MIN_DEDUPE_RETENTION_DAYS)
  WEBHOOK_INBOX_RETENTION_DAYS: number = 35;
  /** How often each replica deletes the inbox rows past their retention. */
  @IsInt() @Min(1000) @Max(86_400_000) WEBHOOK_INBOX_PRUNE_INTERVAL_MS: number = 3_600_000;

  get webhookSecrets(): string[] {
    return csv(this.STRIPE_WEBHOOK_SECRETS);
  }

  get eventAllowlist(): string[] {
    return csv(this.STRIPE_EVENT_ALLOWLIST);
  }
}
