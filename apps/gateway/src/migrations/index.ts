import type { MigrationInterface } from 'typeorm';
import { IdempotencyKeys1763700000000 } from './1763700000000-IdempotencyKeys';
import { RateLimitCounters1767700000000 } from './1767700000000-RateLimitCounters';
import { IdempotencyKeysCreatedAt1767800000000 } from './1767800000000-IdempotencyKeysCreatedAt';

/** Committed migrations of the `gateway` schema, in order. Never edit one that has landed; add another. */
export const gatewayMigrations: (new () => MigrationInterface)[] = [
  IdempotencyKeys1763700000000,
  RateLimitCounters1767700000000,
  IdempotencyKeysCreatedAt1767800000000,
];
