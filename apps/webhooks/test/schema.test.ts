import { randomBytes } from 'node:crypto';
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

  it('keeps payloads out of line, so marking a row published does not copy its payload', async () => {
    // Like a Stripe event: over the ~2 KB at which Postgres compresses a row, and under it once compressed
    // (by default such a payload stays in the row).
    const payload = JSON.stringify({
      id: 'evt_toast',
      lines: randomBytes(600).toString('hex'),
      description: 'seat '.repeat(300),
    });
    const [{ toast }]: { toast: string }[] = await ds.query(
      `SELECT reltoastrelid::regclass::text AS toast FROM pg_class WHERE oid = 'webhooks.stripe_events'::regclass`,
    );
    const chunks = async (): Promise<number> =>
      Number((await ds.query(`SELECT count(*) AS n FROM ${toast}`))[0].n);
    const before = await chunks();
    await ds.query(
      `INSERT INTO webhooks.stripe_events (id, type, livemode, stripe_created_at, payload, status, source)
       VALUES ('evt_toast', 'invoice.finalized', false, now(), $1, 'received', 'webhook')`,
      [payload],
    );
    const stored = await chunks();
    expect(stored).toBeGreaterThan(before);
    await ds.query(
      `UPDATE webhooks.stripe_events SET status = 'published', published_at = now() WHERE id = 'evt_toast'`,
    );
    expect(await chunks()).toBe(stored);
    const [row]: { payload: unknown }[] = await ds.query(
      `SELECT payload FROM webhooks.stripe_events WHERE id = 'evt_toast'`,
    );
    expect(row.payload).toEqual(JSON.parse(payload));
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
