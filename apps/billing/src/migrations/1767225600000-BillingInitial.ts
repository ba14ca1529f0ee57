import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The billing schema: tenants, prices, the append-only audit log, Stripe mirrors, dedupe, outbox, members. */
export class BillingInitial1767225600000 implements MigrationInterface {
  name = 'BillingInitial1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "billing"."tenants" (
        "id" text NOT NULL,
        "name" text NOT NULL,
        "billing_email" text NOT NULL,
        "locale" text NOT NULL,
        "time_zone" text NOT NULL,
        "stripe_customer_id" text,
        "test_clock" text,
        "payment_method_id" text,
        "payment_method_brand" text,
        "payment_method_last4" text,
        "state_version" bigint NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL,
        CONSTRAINT "PK_tenants" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_tenants_stripe_customer_id" ON "billing"."tenants" ("stripe_customer_id")`,
    );

    await q.query(`
      CREATE TABLE "billing"."prices" (
        "lookup_key" text NOT NULL,
        "stripe_price_id" text NOT NULL,
        "stripe_product_id" text NOT NULL,
        "amount" integer NOT NULL,
        "currency" text NOT NULL,
        "interval" text NOT NULL,
        "catalog_version" text NOT NULL,
        "synced_at" timestamptz NOT NULL,
        CONSTRAINT "PK_prices" PRIMARY KEY ("lookup_key")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_prices_stripe_price_id" ON "billing"."prices" ("stripe_price_id")`,
    );

    await q.query(`
      CREATE TABLE "billing"."audit_log" (
        "id" bigserial NOT NULL,
        "tenant_id" text,
        "actor_type" text NOT NULL,
        "actor_id" text NOT NULL,
        "actor_role" text,
        "action" text NOT NULL,
        "before" jsonb,
        "after" jsonb,
        "correlation_id" text,
        "at" timestamptz NOT NULL,
        CONSTRAINT "PK_audit_log" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_audit_log_tenant_id" ON "billing"."audit_log" ("tenant_id", "id")`);
    // Append-only, enforced by the database itself: no role that can connect may rewrite history.
    await q.query(`
      CREATE FUNCTION "billing"."audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'billing.audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "billing"."audit_log"
      FOR EACH ROW EXECUTE FUNCTION "billing"."audit_log_append_only"()`);
    await q.query(`
      CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "billing"."audit_log"
      FOR EACH STATEMENT EXECUTE FUNCTION "billing"."audit_log_append_only"()`);

    await q.query(`
      CREATE TABLE "billing"."subscriptions" (
        "stripe_subscription_id" text NOT NULL,
        "tenant_id" text NOT NULL,
        "stripe_customer_id" text NOT NULL,
        "plan" text NOT NULL,
        "interval" text NOT NULL,
        "stripe_status" text NOT NULL,
        "state" text NOT NULL,
        "purchased_seats" integer NOT NULL,
        "current_period_start" timestamptz,
        "current_period_end" timestamptz,
        "trial_end" timestamptz,
        "cancel_at" timestamptz,
        "cancel_at_period_end" boolean NOT NULL,
        "canceled_at" timestamptz,
        "ended_at" timestamptz,
        "dunning_stage" text NOT NULL DEFAULT 'none',
        "dunning_since" timestamptz,
        "next_retry_at" timestamptz,
        "last_event_at" timestamptz NOT NULL,
        "last_event_id" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "PK_subscriptions" PRIMARY KEY ("stripe_subscription_id"),
        CONSTRAINT "FK_subscriptions_tenant" FOREIGN KEY ("tenant_id") REFERENCES "billing"."tenants" ("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_subscriptions_state" CHECK (state IN ('none', 'trialing', 'active', 'past_due', 'suspended', 'canceled_pending', 'expired', 'canceled')),
        CONSTRAINT "CHK_subscriptions_plan" CHECK (plan IN ('pro', 'business')),
        CONSTRAINT "CHK_subscriptions_interval" CHECK ("interval" IN ('month', 'year')),
        CONSTRAINT "CHK_subscriptions_purchased_seats" CHECK (purchased_seats >= 0),
        CONSTRAINT "CHK_subscriptions_dunning_stage" CHECK (dunning_stage IN ('none', 'payment_failed', 'reminder', 'urgent', 'suspended'))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX "UQ_subscriptions_one_live_per_tenant" ON "billing"."subscriptions" ("tenant_id")
      WHERE state IN ('trialing', 'active', 'past_due', 'suspended', 'canceled_pending')`);
    await q.query(
      `CREATE INDEX "IDX_subscriptions_tenant_id" ON "billing"."subscriptions" ("tenant_id", "created_at")`,
    );

    await q.query(`
      CREATE TABLE "billing"."invoices" (
        "stripe_invoice_id" text NOT NULL,
        "tenant_id" text NOT NULL,
        "stripe_customer_id" text NOT NULL,
        "stripe_subscription_id" text,
        "number" text,
        "status" text NOT NULL,
        "currency" text NOT NULL,
        "total" integer NOT NULL,
        "amount_due" integer NOT NULL,
        "amount_paid" integer NOT NULL,
        "attempt_count" integer NOT NULL,
        "next_payment_attempt" timestamptz,
        "hosted_invoice_url" text,
        "invoice_pdf" text,
        "period_start" timestamptz,
        "period_end" timestamptz,
        "stripe_created_at" timestamptz NOT NULL,
        "last_event_at" timestamptz NOT NULL,
        CONSTRAINT "PK_invoices" PRIMARY KEY ("stripe_invoice_id"),
        CONSTRAINT "FK_invoices_tenant" FOREIGN KEY ("tenant_id") REFERENCES "billing"."tenants" ("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_invoices_amounts" CHECK (amount_due >= 0 AND amount_paid >= 0)
      )`);
    await q.query(
      `CREATE INDEX "IDX_invoices_tenant_id" ON "billing"."invoices" ("tenant_id", "stripe_created_at")`,
    );

    await q.query(`
      CREATE TABLE "billing"."processed_events" (
        "event_id" text NOT NULL,
        "type" text NOT NULL,
        "outcome" text NOT NULL,
        "processed_at" timestamptz NOT NULL,
        CONSTRAINT "PK_processed_events" PRIMARY KEY ("event_id")
      )`);

    await q.query(`
      CREATE TABLE "billing"."outbox" (
        "id" uuid NOT NULL,
        "subject" text NOT NULL,
        "payload" jsonb NOT NULL,
        "correlation_id" text,
        "created_at" timestamptz NOT NULL,
        "published_at" timestamptz,
        CONSTRAINT "PK_outbox" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "IDX_outbox_unpublished" ON "billing"."outbox" ("created_at") WHERE published_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE "billing"."checkout_sessions" (
        "stripe_session_id" text NOT NULL,
        "tenant_id" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "plan" text NOT NULL,
        "interval" text NOT NULL,
        "seats" integer NOT NULL,
        "status" text NOT NULL,
        "url" text NOT NULL,
        "expires_at" timestamptz,
        "created_at" timestamptz NOT NULL,
        CONSTRAINT "PK_checkout_sessions" PRIMARY KEY ("stripe_session_id"),
        CONSTRAINT "FK_checkout_sessions_tenant" FOREIGN KEY ("tenant_id") REFERENCES "billing"."tenants" ("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_checkout_sessions_status" CHECK (status IN ('open', 'complete', 'expired'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_checkout_sessions_idempotency" ON "billing"."checkout_sessions" ("tenant_id", "idempotency_key")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_checkout_sessions_one_open_per_tenant" ON "billing"."checkout_sessions" ("tenant_id") WHERE status = 'open'`,
    );

    await q.query(`
      CREATE TABLE "billing"."members" (
        "tenant_id" text NOT NULL,
        "user_id" text NOT NULL,
        "email" text NOT NULL,
        "added_at" timestamptz NOT NULL,
        CONSTRAINT "PK_members" PRIMARY KEY ("tenant_id", "user_id"),
        CONSTRAINT "FK_members_tenant" FOREIGN KEY ("tenant_id") REFERENCES "billing"."tenants" ("id") ON DELETE RESTRICT
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'members',
      'checkout_sessions',
      'outbox',
      'processed_events',
      'invoices',
      'subscriptions',
      'audit_log',
      'prices',
      'tenants',
    ])
      await q.query(`DROP TABLE "billing"."${table}"`);
    await q.query(`DROP FUNCTION "billing"."audit_log_append_only"()`);
  }
}
