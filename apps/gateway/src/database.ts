import type { ServiceDatabase } from '@tollgate/database';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { gatewayMigrations } from './migrations';

/** The `gateway` schema: owned by the gateway alone (Idempotency-Key records, rate-limit counters). */
export const gatewayDatabase: ServiceDatabase = {
  schema: 'gateway',
  entities: [IdempotencyRecordEntity],
  migrations: gatewayMigrations,
};
