import { openDataSource, pendingSchemaChanges } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import type { DataSource } from 'typeorm';
import { billingDatabase } from '../src/database';

describe('billing schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(billingDatabase, db.url, 2);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('has migrations that match the entities exactly', async () => {
    await expect(pendingSchemaChanges(ds)).resolves.toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit log', async () => {
    await ds.query(
      `INSERT INTO billing.audit_log (actor_type, actor_id, action, at) VALUES ('system', 'test', 'probe', now())`,
    );
    await expect(ds.query(`UPDATE billing.audit_log SET action = 'rewritten'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`DELETE FROM billing.audit_log`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE billing.audit_log`)).rejects.toThrow(/append-only/);
    const rows: { action: string }[] = await ds.query(`SELECT action FROM billing.audit_log`);
    expect(rows).toEqual([{ action: 'probe' }]);
  });

  it('holds at most one live subscription per tenant', async () => {
    await ds.query(
      `INSERT INTO billing.tenants (id, name, billing_email, locale, time_zone, created_at) VALUES ('t1', 'T', 'a@b.co', 'en', 'UTC', now())`,
    );
    const insert = (id: string, state: string) =>
      ds.query(
        `INSERT INTO billing.subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, plan, interval,
           stripe_status, state, purchased_seats, cancel_at_period_end, last_event_at, last_event_id, created_at, updated_at)
         VALUES ($1, 't1', 'cus_1', 'pro', 'month', 'active', $2, 0, false, now(), 'evt', now(), now())`,
        [id, state],
      );
    await insert('sub_old', 'expired');
    await insert('sub_live', 'active');
    await expect(insert('sub_second', 'trialing')).rejects.toThrow(/UQ_subscriptions_one_live_per_tenant/);
    await expect(insert('sub_bad', 'bogus')).rejects.toThrow(/CHK_subscriptions_state/);
  });
});
