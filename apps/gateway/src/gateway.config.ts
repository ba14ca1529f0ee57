import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { PlatformConfig } from '@tollgate/config';

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
}
