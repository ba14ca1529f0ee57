import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * Variables every Tollgate service reads. Service configs extend this class. Numeric properties carry an
 * explicit `: number`: implicit conversion reads the emitted design type, which an inferred type leaves as Object.
 */
export class PlatformConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tollgate';

  @Matches(/^(nats|tls):\/\/.+/, {
    message: 'NATS_URL must be a nats:// URL (comma-separated for a cluster)',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prefixes every subject and stream name; empty in production, unique per test to isolate runs. */
  @IsOptional()
  @Matches(/^[a-zA-Z0-9_]*$/, { message: 'NATS_NAMESPACE must be letters, digits or _' })
  NATS_NAMESPACE = '';

  @IsInt() @Min(50) @Max(60_000) NATS_REQUEST_TIMEOUT_MS: number = 5000;

  /** Copies of each JetStream stream: 3 on a NATS cluster in production, 1 on a single server. */
  @IsInt() @Min(1) @Max(5) NATS_STREAM_REPLICAS: number = 1;

  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) LOG_LEVEL = 'info';

  /** Run this service's migrations at start (one process per deploy should; see docs/operations.md). */
  @IsIn(['true', 'false']) MIGRATE_ON_START = 'false';

  @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE: number = 10;

  @IsInt() @Min(100) @Max(120_000) SHUTDOWN_GRACE_MS: number = 10_000;

  @IsOptional() @IsString() CATALOG_PATH?: string;
}
