import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A downgrade waiting for the period end: the plan paid for stays in force until `held_until`. */
export class SubscriptionHold1767225800000 implements MigrationInterface {
  name = 'SubscriptionHold1767225800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "billing"."subscriptions" ADD "held_plan" text`);
    await q.query(`ALTER TABLE "billing"."subscriptions" ADD "held_interval" text`);
    await q.query(`ALTER TABLE "billing"."subscriptions" ADD "held_purchased_seats" integer`);
    await q.query(`ALTER TABLE "billing"."subscriptions" ADD "held_until" timestamptz`);
    await q.query(`
      ALTER TABLE "billing"."subscriptions" ADD CONSTRAINT "CHK_subscriptions_hold" CHECK (
        (held_until IS NULL AND held_plan IS NULL AND held_interval IS NULL AND held_purchased_seats IS NULL)
        OR (held_until IS NOT NULL AND held_plan IN ('pro', 'business') AND held_interval IN ('month', 'year')
            AND held_purchased_seats >= 0))`);
    // The scheduler's work list: subscriptions in dunning or holding a plan until a date.
    await q.query(`
      CREATE INDEX "IDX_subscriptions_scheduled" ON "billing"."subscriptions" ("tenant_id")
      WHERE held_until IS NOT NULL OR dunning_stage IN ('payment_failed', 'reminder', 'urgent')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "billing"."IDX_subscriptions_scheduled"`);
    await q.query(`ALTER TABLE "billing"."subscriptions" DROP CONSTRAINT "CHK_subscriptions_hold"`);
    for (const column of ['held_until', 'held_purchased_seats', 'held_interval', 'held_plan'])
      await q.query(`ALTER TABLE "billing"."subscriptions" DROP COLUMN "${column}"`);
  }
}
