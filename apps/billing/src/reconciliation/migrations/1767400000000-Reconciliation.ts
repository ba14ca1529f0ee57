import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reconciliation: runs (checkpoints and reports), differences, objects seen per run, the run lease. */
export class Reconciliation1767400000000 implements MigrationInterface {
  name = 'Reconciliation1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "billing"."reconciliation_runs" (
        "id" uuid NOT NULL,
        "status" text NOT NULL,
        "dry_run" boolean NOT NULL,
        "trigger" text NOT NULL,
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        "attempts" integer NOT NULL DEFAULT 1,
        "last_error" text,
        "progress" jsonb NOT NULL,
        "report" jsonb,
        CONSTRAINT "PK_reconciliation_runs" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_reconciliation_runs_status" CHECK (status IN ('running', 'completed', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX "IDX_reconciliation_runs_started_at" ON "billing"."reconciliation_runs" ("started_at")`,
    );
    await q.query(`
      CREATE TABLE "billing"."reconciliation_differences" (
        "id" bigserial NOT NULL,
        "run_id" uuid NOT NULL,
        "object_type" text NOT NULL,
        "object_id" text NOT NULL,
        "tenant_id" text,
        "stripe_customer_id" text,
        "kind" text NOT NULL,
        "safe" boolean NOT NULL,
        "status" text NOT NULL,
        "detail" jsonb NOT NULL,
        "stripe_object" jsonb,
        "observed_at" timestamptz NOT NULL,
        "first_seen_at" timestamptz NOT NULL,
        "resolved_at" timestamptz,
        CONSTRAINT "PK_reconciliation_differences" PRIMARY KEY ("id"),
        CONSTRAINT "FK_reconciliation_differences_run" FOREIGN KEY ("run_id") REFERENCES "billing"."reconciliation_runs" ("id") ON DELETE CASCADE,
        CONSTRAINT "CHK_reconciliation_differences_object_type" CHECK (object_type IN ('subscription', 'customer', 'invoice')),
        CONSTRAINT "CHK_reconciliation_differences_status" CHECK (status IN ('pending', 'repaired', 'superseded', 'reported', 'would_repair', 'failed'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_reconciliation_differences_run_object_kind" ON "billing"."reconciliation_differences" ("run_id", "object_type", "object_id", "kind")`,
    );
    await q.query(
      `CREATE INDEX "IDX_reconciliation_differences_object" ON "billing"."reconciliation_differences" ("object_type", "object_id")`,
    );
    await q.query(`
      CREATE TABLE "billing"."reconciliation_seen" (
        "run_id" uuid NOT NULL,
        "object_type" text NOT NULL,
        "object_id" text NOT NULL,
        "stripe_customer_id" text,
        "live" boolean NOT NULL,
        CONSTRAINT "PK_reconciliation_seen" PRIMARY KEY ("run_id", "object_type", "object_id"),
        CONSTRAINT "FK_reconciliation_seen_run" FOREIGN KEY ("run_id") REFERENCES "billing"."reconciliation_runs" ("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "billing"."reconciliation_leases" (
        "name" text NOT NULL,
        "holder" text NOT NULL,
        "run_id" uuid,
        "acquired_at" timestamptz NOT NULL,
        "heartbeat_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "PK_reconciliation_leases" PRIMARY KEY ("name")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'reconciliation_leases',
      'reconciliation_seen',
      'reconciliation_differences',
      'reconciliation_runs',
    ])
      await q.query(`DROP TABLE "billing"."${table}"`);
  }
}
