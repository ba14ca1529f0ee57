import type { MigrationInterface } from 'typeorm';
import { IdempotencyKeys1763700000000 } from './1763700000000-IdempotencyKeys';

/** Committed migrations of the `gateway` schema, in order. Never edit one that has landed; add another. */
export const gatewayMigrations: (new () => MigrationInterface)[] = [IdempotencyKeys1763700000000];
