import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tollgate/database';

/**
 * Indexes for retention (billing-retention.ts): effect records by when they were processed, sent outbox rows
 * by when they were sent. Built concurrently, outside a transaction, so an existing deployment keeps writing.
 */
export class RetentionIndexes1767500000000 implements MigrationInterface {
  name = 'RetentionIndexes1767500000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      q,
      'billing',
      'IDX_processed_events_processed_at',
      `"processed_events" ("processed_at")`,
    );
    await createIndexConcurrently(
      q,
      'billing',
      'IDX_outbox_published_at',
      `"outbox" ("published_at") WHERE published_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "billing"."IDX_outbox_published_at"`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "billing"."IDX_processed_events_processed_at"`);
  }
}
