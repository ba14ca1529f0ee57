import type { MigrationInterface, QueryRunner } from 'typeorm';

/** notifications.deliveries: one row per (tenant, kind, cause), the exactly-once record of every email. */
export class NotificationsDeliveries1767600000000 implements MigrationInterface {
  name = 'NotificationsDeliveries1767600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "notifications"."deliveries" (
        "id" uuid NOT NULL,
        "tenant_id" text NOT NULL,
        "kind" text NOT NULL,
        "cause" text NOT NULL,
        "recipient" text NOT NULL,
        "subject" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "message_id" text,
        "correlation_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "sent_at" timestamptz,
        CONSTRAINT "PK_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_deliveries_tenant_kind_cause" UNIQUE ("tenant_id", "kind", "cause"),
        CONSTRAINT "CHK_deliveries_status" CHECK ("status" IN ('pending', 'sent', 'failed')),
        CONSTRAINT "CHK_deliveries_sent_complete"
          CHECK ("status" <> 'sent' OR ("sent_at" IS NOT NULL AND "message_id" IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX "IX_deliveries_status_updated_at" ON "notifications"."deliveries" ("status", "updated_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notifications"."deliveries"`);
  }
}
