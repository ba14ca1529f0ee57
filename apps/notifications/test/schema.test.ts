import { openDataSource, pendingSchemaChanges } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import type { DataSource } from 'typeorm';
import { notificationsDatabase } from '../src/database';

describe('notifications schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(notificationsDatabase, db.url, 2);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const insert = (cause: string, status = 'pending', extra = '') =>
    ds.query(
      `INSERT INTO notifications.deliveries (id, tenant_id, kind, cause, recipient, subject, status${extra ? ', sent_at, message_id' : ''})
       VALUES (gen_random_uuid(), 'acme', 'payment_failed', $1, 'a@acme.test', 's', $2${extra})`,
      [cause, status],
    );

  it('has migrations that match the entities exactly', async () => {
    await expect(pendingSchemaChanges(ds)).resolves.toEqual([]);
  });

  it('holds one delivery per (tenant, kind, cause)', async () => {
    await insert('in_1');
    await expect(insert('in_1')).rejects.toThrow(/UQ_deliveries_tenant_kind_cause/);
  });

  it('refuses a sent row without its send time and Message-ID, and an unknown status', async () => {
    await expect(insert('in_2', 'sent')).rejects.toThrow(/CHK_deliveries_sent_complete/);
    await expect(insert('in_3', 'bounced')).rejects.toThrow(/CHK_deliveries_status/);
    await insert('in_4', 'sent', `, now(), '<x@tollgate.local>'`);
  });
});
