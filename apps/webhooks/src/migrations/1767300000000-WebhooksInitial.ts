import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The webhooks schema: the Stripe event inbox and the dead letters operators inspect and replay. */
export class WebhooksInitial1767300000000 implements MigrationInterface {
  name = 'WebhooksInitial1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhooks"."stripe_events" (
        "id" text NOT NULL,
        "type" text NOT NULL,
        "livemode" boolean NOT NULL,
        "stripe_created_at" timestamptz NOT NULL,
        "payload" jsonb NOT NULL,
        "status" text NOT NULL,
        "source" text NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "published_at" timestamptz,
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz,
        "last_error" text,
        CONSTRAINT "PK_stripe_events" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_stripe_events_id" CHECK ("id" LIKE 'evt\\_%'),
        CONSTRAINT "CHK_stripe_events_status" CHECK ("status" IN ('received', 'published', 'ignored')),
        CONSTRAINT "CHK_stripe_events_source" CHECK ("source" IN ('webhook', 'catch_up')),
        CONSTRAINT "CHK_stripe_events_published_at" CHECK (("status" = 'published') = ("published_at" IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX "IDX_stripe_events_relay" ON "webhooks"."stripe_events" ("next_attempt_at") WHERE "status" = 'received'`,
    );
    await q.query(
      `CREATE INDEX "IDX_stripe_events_received_at" ON "webhooks"."stripe_events" ("received_at", "id")`,
    );

    await q.query(`
      CREATE TABLE "webhooks"."dead_letters" (
        "id" bigserial NOT NULL,
        "consumer" text NOT NULL,
        "subject" text NOT NULL,
        "reason" text NOT NULL,
        "payload" bytea NOT NULL,
        "headers" jsonb NOT NULL,
        "original_seq" bigint,
        "status" text NOT NULL,
        "replay_count" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "replayed_at" timestamptz,
        CONSTRAINT "PK_dead_letters" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_dead_letters_status" CHECK ("status" IN ('open', 'replayed')),
        CONSTRAINT "CHK_dead_letters_replayed_at" CHECK (("status" = 'replayed') = ("replayed_at" IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_dead_letters_consumer_seq" ON "webhooks"."dead_letters" ("consumer", "original_seq")`,
    );
    await q.query(`CREATE INDEX "IDX_dead_letters_status" ON "webhooks"."dead_letters" ("status", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhooks"."dead_letters"`);
    await q.query(`DROP TABLE "webhooks"."stripe_events"`);
  }
}
