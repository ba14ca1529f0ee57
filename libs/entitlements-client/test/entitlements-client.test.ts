import { EntitlementsClient } from '@tollgate/entitlements-client';
import { eventually } from '@tollgate/testing';
import { startHarness, type Harness } from '../../../apps/entitlements/test/entitlements.harness';

describe('EntitlementsClient against a running service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(1);
  });
  afterAll(() => h.close(), 30_000);

  it('fetches on a miss, then answers boolean features locally from the snapshot', async () => {
    const client = await EntitlementsClient.connect({ nc: h.bus.nc, namespace: h.namespace });
    try {
      expect(client.checkLocal('miss', 'data_export')).toBeUndefined();
      await expect(client.check('miss', 'data_export')).resolves.toMatchObject({
        allowed: true,
        reason: 'included',
      });
      expect(client.stats.fetched).toBe(1);
      for (let i = 0; i < 10; i++) await client.check('miss', 'data_export');
      expect(client.stats.fetched).toBe(1);
      expect(client.stats.local).toBeGreaterThanOrEqual(11);
    } finally {
      client.close();
    }
  });

  it('asks the service for metered features, whose counters live there', async () => {
    const client = await EntitlementsClient.connect({ nc: h.bus.nc, namespace: h.namespace });
    try {
      await client.recordUsage({
        tenantId: 'metered',
        feature: 'api_calls',
        quantity: 4,
        idempotencyKey: 'm1',
      });
      await expect(client.check('metered', 'api_calls')).resolves.toMatchObject({ used: 4, limit: 1000 });
      expect(client.checkLocal('metered', 'api_calls')).toBeUndefined();
      expect(client.stats.remote).toBe(1);
      await expect(client.check('metered', 'nope')).rejects.toMatchObject({ code: 'unknown_feature' });
    } finally {
      client.close();
    }
  });

  it('stops trusting a snapshot past its staleness bound and refetches it, even when an invalidation was lost', async () => {
    let now = Date.now();
    const client = await EntitlementsClient.connect({
      nc: h.bus.nc,
      namespace: h.namespace,
      maxStalenessMs: 30_000,
      clock: () => now,
    });
    try {
      await expect(client.check('lost', 'sso')).resolves.toMatchObject({ allowed: false });
      // A change whose broadcast never arrived: written straight to the store, replica cache dropped.
      await h.service(0).applyTenantCreated('lost');
      await eventually(async () => (await client.snapshot('lost')).version === 1, {
        what: 'version 1 cached',
      });
      await grantSsoBehindTheBusBack(h, 'lost');
      expect(client.checkLocal('lost', 'sso')).toMatchObject({ allowed: false });
      now += 20_000; // within the bound and before refresh-ahead (80%): the old snapshot is still trusted
      expect(client.checkLocal('lost', 'sso')).toMatchObject({ allowed: false });
      now += 10_000;
      expect(client.checkLocal('lost', 'sso')).toBeUndefined();
      await expect(client.check('lost', 'sso')).resolves.toMatchObject({ allowed: true, source: 'override' });
    } finally {
      client.close();
    }
  });

  it('refreshes a snapshot in use in the background before its staleness bound', async () => {
    let now = Date.now();
    const client = await EntitlementsClient.connect({
      nc: h.bus.nc,
      namespace: h.namespace,
      maxStalenessMs: 30_000,
      clock: () => now,
    });
    try {
      await expect(client.check('ahead', 'sso')).resolves.toMatchObject({ allowed: false });
      await h.service(0).applyTenantCreated('ahead');
      await eventually(async () => (await client.snapshot('ahead')).version === 1, {
        what: 'version 1 cached',
      });
      await grantSsoBehindTheBusBack(h, 'ahead');
      now += 25_000;
      expect(client.checkLocal('ahead', 'sso')).toMatchObject({ allowed: false });
      await eventually(() => client.checkLocal('ahead', 'sso')?.allowed, {
        what: 'refreshed ahead of the bound',
      });
    } finally {
      client.close();
    }
  });

  it('refetches at once when an invalidation names a newer version', async () => {
    const client = await EntitlementsClient.connect({ nc: h.bus.nc, namespace: h.namespace });
    try {
      await expect(client.check('inv', 'advanced_analytics')).resolves.toMatchObject({ allowed: false });
      await h.subscriptionChanged({ tenantId: 'inv', version: 1, plan: 'pro' });
      await eventually(() => client.checkLocal('inv', 'advanced_analytics')?.allowed, {
        what: 'pro seen locally',
      });
      expect(client.stats.invalidations).toBeGreaterThanOrEqual(1);
    } finally {
      client.close();
    }
  });
});

/** Edits the persisted snapshot directly (no broadcast) and empties the replica cache, as a lost message would. */
async function grantSsoBehindTheBusBack(h: Harness, tenantId: string): Promise<void> {
  const { Client } = await import('pg');
  const pg = new Client({ connectionString: h.db.url });
  await pg.connect();
  try {
    await pg.query(
      `UPDATE entitlements.tenant_entitlements
          SET snapshot = jsonb_set(jsonb_set(snapshot, '{features,sso,enabled}', 'true'), '{features,sso,source}', '"override"')
        WHERE tenant_id = $1`,
      [tenantId],
    );
  } finally {
    await pg.end();
  }
  h.service(0).cache.clear();
}
