import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The customer's Stripe credit balance (e.g. from a downgrade proration), integer minor units. */
export class TenantCreditBalance1767225700000 implements MigrationInterface {
  name = 'TenantCreditBalance1767225700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "billing"."tenants" ADD "credit_balance" integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "billing"."tenants" DROP COLUMN "credit_balance"`);
  }
}
