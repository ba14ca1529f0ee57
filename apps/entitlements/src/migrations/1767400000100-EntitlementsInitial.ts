import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EntitlementsInitial1767400000100 implements MigrationInterface {
  name = 'EntitlementsInitial1767400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "entitlements"."tenant_entitlements" (
      "tenant_id" text NOT NULL,
      "plan" text NOT NULL,
      "interval" text,
      "state" text NOT NULL,
      "seats" integer NOT NULL DEFAULT '0',
      "period_start" TIMESTAMP WITH TIME ZONE,
      "period_end" TIMESTAMP WITH TIME ZONE,
      "grace_until" TIMESTAMP WITH TIME ZONE,
      "subscription_version" bigint NOT NULL DEFAULT '0',
      "revision" bigint NOT NULL DEFAULT '0',
      "snapshot" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_657aad5c2096ca7c39cb9b81823" PRIMARY KEY ("tenant_id")
    )`);
    await q.query(`CREATE TABLE "entitlements"."entitlement_overrides" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "feature" text NOT NULL,
      "enabled" boolean,
      "limit_value" integer,
      "enforcement" text,
      "expires_at" TIMESTAMP WITH TIME ZONE,
      "reason" text NOT NULL,
      "created_by" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "cleared_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_415bca12175c033f8ee4e9022e6" PRIMARY KEY ("id")
    )`);
    await q.query(
      `CREATE UNIQUE INDEX "entitlement_overrides_one_live" ON "entitlements"."entitlement_overrides" ("tenant_id", "feature") WHERE cleared_at IS NULL`,
    );
    await q.query(`CREATE TABLE "entitlements"."override_audit" (
      "id" BIGSERIAL NOT NULL,
      "tenant_id" text NOT NULL,
      "feature" text NOT NULL,
      "action" text NOT NULL,
      "before" jsonb,
      "after" jsonb,
      "actor" text NOT NULL,
      "reason" text NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_31d6834f19faf2097c7344b6c2c" PRIMARY KEY ("id")
    )`);
    await q.query(
      `CREATE INDEX "override_audit_tenant_at" ON "entitlements"."override_audit" ("tenant_id", "at")`,
    );
    await q.query(`CREATE TABLE "entitlements"."usage_counters" (
      "tenant_id" text NOT NULL,
      "feature" text NOT NULL,
      "window_start" TIMESTAMP WITH TIME ZONE NOT NULL,
      "used" bigint NOT NULL DEFAULT '0',
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "usage_counters_used_non_negative" CHECK ("used" >= 0),
      CONSTRAINT "PK_c36154743e0abd21d842d83f39b" PRIMARY KEY ("tenant_id", "feature", "window_start")
    )`);
    await q.query(`CREATE TABLE "entitlements"."usage_records" (
      "tenant_id" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "feature" text NOT NULL,
      "quantity" integer NOT NULL,
      "window_start" TIMESTAMP WITH TIME ZONE NOT NULL,
      "decision" jsonb NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_ff31539a7b3a0c3a184ecc4107e" PRIMARY KEY ("tenant_id", "idempotency_key")
    )`);
    await q.query(`CREATE TABLE "entitlements"."usage_refusals" (
      "id" BIGSERIAL NOT NULL,
      "tenant_id" text NOT NULL,
      "feature" text NOT NULL,
      "window_start" TIMESTAMP WITH TIME ZONE NOT NULL,
      "quantity" integer NOT NULL,
      "used" bigint NOT NULL,
      "limit_value" integer NOT NULL,
      "idempotency_key" text NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_c913c948e9993dd2196c17587ff" PRIMARY KEY ("id")
    )`);
    await q.query(
      `CREATE INDEX "usage_refusals_window" ON "entitlements"."usage_refusals" ("tenant_id", "feature", "window_start")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'usage_refusals',
      'usage_records',
      'usage_counters',
      'override_audit',
      'entitlement_overrides',
      'tenant_entitlements',
    ])
      await q.query(`DROP TABLE "entitlements"."${table}"`);
  }
}
