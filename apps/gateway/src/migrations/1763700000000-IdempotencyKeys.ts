import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1763700000000 implements MigrationInterface {
  name = 'IdempotencyKeys1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "gateway"."idempotency_keys" (
      "scope" text NOT NULL,
      "key" text NOT NULL,
      "route" text NOT NULL,
      "request_hash" text NOT NULL,
      "status" text NOT NULL,
      "response_status" integer,
      "response_body" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("scope", "key")
    )`);
    await q.query(
      `ALTER TABLE "gateway"."idempotency_keys" ADD CONSTRAINT "CHK_idempotency_status" CHECK ("status" IN ('in_flight', 'completed'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."idempotency_keys"`);
  }
}
