import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A plan change recorded before its Stripe call, finished by the retry or the webhook after a crash. */
export class PlanChangeIntents1767225900000 implements MigrationInterface {
  name = 'PlanChangeIntents1767225900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "billing"."plan_change_intents" (
        "stripe_subscription_id" text NOT NULL,
        "tenant_id" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "key_hash" text NOT NULL,
        "kind" text NOT NULL,
        "plan" text NOT NULL,
        "interval" text NOT NULL,
        "purchased_seats" integer NOT NULL,
        "seats" integer NOT NULL,
        "invoices_now" boolean NOT NULL,
        "held_plan" text,
        "held_interval" text,
        "held_purchased_seats" integer,
        "held_until" timestamptz,
        "at" timestamptz NOT NULL,
        "before" jsonb NOT NULL,
        "actor" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL,
        CONSTRAINT "PK_plan_change_intents" PRIMARY KEY ("stripe_subscription_id", "key_hash"),
        CONSTRAINT "CHK_plan_change_intents_plan" CHECK (plan IN ('pro', 'business')),
        CONSTRAINT "CHK_plan_change_intents_interval" CHECK ("interval" IN ('month', 'year')),
        CONSTRAINT "CHK_plan_change_intents_hold" CHECK (
          (held_until IS NULL AND held_plan IS NULL AND held_interval IS NULL AND held_purchased_seats IS NULL)
          OR (held_until IS NOT NULL AND held_plan IN ('pro', 'business') AND held_interval IN ('month', 'year')
              AND held_purchased_seats >= 0)),
        CONSTRAINT "FK_plan_change_intents_subscription" FOREIGN KEY ("stripe_subscription_id")
          REFERENCES "billing"."subscriptions" ("stripe_subscription_id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "billing"."plan_change_intents"`);
  }
}
