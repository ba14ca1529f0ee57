import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for retention (BillingRetention): effect records by when they were processed, sent outbox rows by
 * when they were sent. Built CONCURRENTLY, outside a transaction, so that an existing deployment's billing
 * keeps writing while a large table is indexed. A build interrupted half-way leaves an invalid index behind;
 * running the migration again drops it and builds it anew.
 */
export class RetentionIndexes1767500000000 implements MigrationInterface {
  name = 'RetentionIndexes1767500000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "billing"."IDX_processed_events_processed_at"`);
    await q.query(
      `CREATE INDEX CONCURRENTLY "IDX_processed_events_processed_at" ON "billing"."processed_events" ("processed_at")`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "billing"."IDX_outbox_published_at"`);
    await q.query(
      `CREATE INDEX CONCURRENTLY "IDX_outbox_published_at" ON "billing"."outbox" ("published_at") WHERE published_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "billing"."IDX_outbox_published_at"`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "billing"."IDX_processed_events_processed_at"`);
  }
}
