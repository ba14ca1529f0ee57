import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbox payloads stored out of line (TOAST) once a row passes 256 bytes, instead of Postgres's default of
 * ~2 KB. A compressed Stripe event (~1.8 KB) used to stay inside the row, so marking the row published, an
 * UPDATE, copied the payload into a new row version; now it copies a ~250-byte row that points to the payload
 * written once. Measured at 1,000 events/s (docs/webhooks.md, session 9): Postgres writes 2.55 KB of table and
 * index pages per event instead of 4.26 KB, and 3.13 KB of WAL instead of 4.80 KB. Applies to rows written
 * from now on.
 */
export class InboxPayloadOutOfLine1767300200000 implements MigrationInterface {
  name = 'InboxPayloadOutOfLine1767300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhooks"."stripe_events" SET (toast_tuple_target = 256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhooks"."stripe_events" RESET (toast_tuple_target)`);
  }
}
