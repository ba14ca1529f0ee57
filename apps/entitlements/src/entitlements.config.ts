import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { PlatformConfig } from '@tollgate/config';

export class EntitlementsConfig extends PlatformConfig {
  /** HTTP port for /health, /health/ready and /metrics (decisions are served over NATS). */
  @IsInt() @Min(0) @Max(65_535) ENTITLEMENTS_PORT: number = 3003;

  /**
   * Staleness bound: a paid snapshot whose period ended this long ago with no renewal event is stale, and
   * its decisions are fail-safe (granted with fail_safe_stale, or refused for fail-closed features).
   */
  @IsInt() @Min(60) @Max(90 * 24 * 3600) ENTITLEMENTS_STALENESS_BOUND_SECONDS: number = 3 * 24 * 3600;

  /** A replica re-reads a cached snapshot from Postgres after this long even without an invalidation. */
  @IsInt() @Min(100) @Max(3_600_000) ENTITLEMENTS_CACHE_TTL_MS: number = 30_000;

  /**
   * Most tenants' snapshots a replica keeps cached; past it the least recently used is evicted. A snapshot
   * takes a few kilobytes of heap: size the replica's memory for this.
   */
  @IsInt() @Min(1) @Max(10_000_000) ENTITLEMENTS_CACHE_MAX_TENANTS: number = 200_000;

  /** Warning threshold (share of the limit) for features whose plan sets no `warnAt`. */
  @IsNumber() @Min(0.01) @Max(1) ENTITLEMENTS_DEFAULT_WARN_AT: number = 0.8;
}
