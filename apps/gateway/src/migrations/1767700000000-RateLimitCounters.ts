import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every gateway replica. UNLOGGED: losing them in a crash only resets the
 * current windows, and writes skip the WAL. No entity maps it (RateLimitCounterRepository speaks raw SQL).
 * fillfactor leaves room on each page so the constant updates stay HOT (the key, the only index, never changes).
 */
export class RateLimitCounters1767700000000 implements MigrationInterface {
  name = 'RateLimitCounters1767700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE "gateway"."rate_limit_counters" (
      "key" text NOT NULL,
      "hits" integer NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "blocked_until" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_rate_limit_counters" PRIMARY KEY ("key")
    ) WITH (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."rate_limit_counters"`);
  }
}
