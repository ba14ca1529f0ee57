import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tollgate/database';

/**
 * Index for the keys' retention (IdempotencyRetention): keys by when they were first used. Built
 * concurrently, outside a transaction, so an existing deployment keeps taking billing writes.
 */
export class IdempotencyKeysCreatedAt1767800000000 implements MigrationInterface {
  name = 'IdempotencyKeysCreatedAt1767800000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      q,
      'gateway',
      'IDX_idempotency_keys_created_at',
      `"idempotency_keys" ("created_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "gateway"."IDX_idempotency_keys_created_at"`);
  }
}
