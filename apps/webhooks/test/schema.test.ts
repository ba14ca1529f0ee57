import type { DataSource } from 'typeorm';
import { openDataSource, pendingSchemaChanges } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import { webhooksDatabase } from '../src/database';

describe('webhooks schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(webhooksDatabase, db.url, 2);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('has migrations that match the entities exactly', async () => {
    await expect(pendingSchemaChanges(ds)).resolves.toEqual([]);
  });

  it('compresses inbox payloads with lz4', async () => {
    const rows: { compression: string }[] = await ds.query(
      `SELECT attcompression AS compression FROM pg_attribute
        WHERE attrelid = 'webhooks.stripe_events'::regclass AND attname = 'payload'`,
    );
    expect(rows).toEqual([{ compression: 'l' }]);
  });

  it('refuses an inbox row whose id is not a Stripe event id', async () => {
    await expect(
      ds.query(
        `INSERT INTO webhooks.stripe_events (id, type, livemode, stripe_created_at, payload, status, source)
         VALUES ('cus_1', 'customer.created', false, now(), '{}', 'ignored', 'webhook')`,
      ),
    ).rejects.toThrow(/CHK_stripe_events_id/);
  });

  it('refuses a published row without its publication time', async () => {
    await expect(
      ds.query(
        `INSERT INTO webhooks.stripe_events (id, type, livemode, stripe_created_at, payload, status, source)
         VALUES ('evt_1', 'customer.created', false, now(), '{}', 'published', 'webhook')`,
      ),
    ).rejects.toThrow(/CHK_stripe_events_published_at/);
  });
});
