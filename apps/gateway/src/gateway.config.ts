import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { PlatformConfig, RetentionDays } from '@tollgate/config';

export class GatewayConfig extends PlatformConfig {
  @IsInt() @Min(0) @Max(65535) GATEWAY_PORT: number = 3000;

  /** HS256 shared secret; required unless AUTH_JWKS_URL is set. */
  @ValidateIf((c: GatewayConfig) => !c.AUTH_JWKS_URL)
  @IsString({ message: 'AUTH_JWT_SECRET or AUTH_JWKS_URL must be set' })
  @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  /** RS256 keys published as a JWKS (rotation: every key in the set is accepted by its kid). */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) AUTH_JWKS_URL?: string;

  /** Minimum time between two JWKS fetches; an unknown `kid` refetches the set once this has passed. */
  @IsInt() @Min(0) AUTH_JWKS_COOLDOWN_MS: number = 30_000;

  @IsOptional() @IsString() AUTH_JWT_ISSUER?: string;
  @IsOptional() @IsString() AUTH_JWT_AUDIENCE?: string;

  /** Requests a tenant may make per minute, and per client IP; billing writes have their own lower limit. */
  @IsInt() @Min(1) RATE_LIMIT_TENANT_PER_MINUTE: number = 600;
  @IsInt() @Min(1) RATE_LIMIT_IP_PER_MINUTE: number = 1200;
  @IsInt() @Min(1) RATE_LIMIT_BILLING_WRITES_PER_MINUTE: number = 30;

  @IsIn(['true', 'false']) TRUST_PROXY = 'false';

  /**
   * Days an Idempotency-Key and its response are remembered (Stripe keeps its own keys 24 hours); after that
   * the key is free again. 0 remembers every key for ever.
   */
  @RetentionDays(1) GATEWAY_IDEMPOTENCY_RETENTION_DAYS: number = 1;

  /**
   * A key still `in_flight` this long after its request began belongs to a request whose gateway died (a
   * live request ends within NATS_REQUEST_TIMEOUT_MS, at most 60 s, and a failure frees its key): the next
   * request with the same key and body takes it over instead of answering `idempotency_in_flight` for ever.
   */
  @IsInt() @Min(61_000) @Max(86_400_000) GATEWAY_IDEMPOTENCY_IN_FLIGHT_LEASE_MS: number = 120_000;

  /** How often each replica deletes the keys past their retention. */
  @IsInt() @Min(1000) @Max(86_400_000) GATEWAY_PRUNE_INTERVAL_MS: number = 3_600_000;
}
