import type { DataSource } from 'typeorm';
import { ErrorCode, type SubscriptionChangedEvent } from '@tollgate/contracts';
import { openDataSource } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import { entitlementsDatabase } from '../src/database';
import { OverrideRepository } from '../src/repositories/override.repository';
import { TenantEntitlementsRepository } from '../src/repositories/tenant-entitlements.repository';
import { UsageRepository } from '../src/repositories/usage.repository';
import { EntitlementsService } from '../src/services/entitlements.service';

/** The service on the real database with a controlled clock: windows reset when time moves, not by waiting. */
describe('usage windows (service on real Postgres, controlled clock)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let now: Date;
  let service: EntitlementsService;
  const broadcasts: unknown[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(entitlementsDatabase, db.url, 4);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });
  beforeEach(() => {
    now = new Date('2026-03-10T12:00:00.000Z');
    service = new EntitlementsService(
      {
        ENTITLEMENTS_STALENESS_BOUND_SECONDS: 3 * 86_400,
        ENTITLEMENTS_CACHE_TTL_MS: 30_000,
        ENTITLEMENTS_CACHE_MAX_TENANTS: 200_000,
        ENTITLEMENTS_DEFAULT_WARN_AT: 0.8,
      },
      new TenantEntitlementsRepository(ds),
      new OverrideRepository(ds),
      new UsageRepository(ds),
      { broadcast: (_subject, payload) => void broadcasts.push(payload) },
      () => now,
    );
  });

  const record = (tenantId: string, feature: string, key: string, quantity = 1) =>
    service.recordUsage({ tenantId, feature, quantity, idempotencyKey: key });

  it('resets a daily limit at UTC midnight', async () => {
    for (let i = 0; i < 5; i++) await record('daily', 'exports', `d1-${i}`);
    await expect(record('daily', 'exports', 'd1-over')).rejects.toMatchObject({
      code: ErrorCode.LimitExceeded,
    });
    await expect(service.check({ tenantId: 'daily', feature: 'exports' })).resolves.toMatchObject({
      allowed: false,
      resetsAt: '2026-03-11T00:00:00.000Z',
    });
    now = new Date('2026-03-11T00:00:00.000Z');
    await expect(service.check({ tenantId: 'daily', feature: 'exports' })).resolves.toMatchObject({
      allowed: true,
      used: 0,
      reason: 'within_limit',
    });
    await expect(record('daily', 'exports', 'd2-0')).resolves.toMatchObject({ used: 1, remaining: 4 });
  });

  it('resets a billing-period limit at the period end, and at the new period a renewal brings', async () => {
    const event: SubscriptionChangedEvent = {
      tenantId: 'period',
      plan: 'pro',
      interval: 'month',
      state: 'active',
      previousState: 'trialing',
      seats: 5,
      periodStart: '2026-03-05T09:00:00.000Z',
      periodEnd: '2026-04-05T09:00:00.000Z',
      graceUntil: null,
      cause: 'test',
      version: 1,
      at: now.toISOString(),
    };
    await service.applySubscriptionChanged(event);
    await record('period', 'api_calls', 'p1', 600);
    await expect(service.check({ tenantId: 'period', feature: 'api_calls' })).resolves.toMatchObject({
      used: 600,
      resetsAt: '2026-04-05T09:00:00.000Z',
    });
    now = new Date('2026-04-05T09:00:00.000Z');
    await expect(service.check({ tenantId: 'period', feature: 'api_calls' })).resolves.toMatchObject({
      used: 0,
      resetsAt: '2026-05-05T09:00:00.000Z',
    });
    await record('period', 'api_calls', 'p2', 3);
    await service.applySubscriptionChanged({
      ...event,
      periodStart: '2026-04-05T09:00:00.000Z',
      periodEnd: '2026-05-05T09:00:00.000Z',
      version: 2,
    });
    await expect(service.check({ tenantId: 'period', feature: 'api_calls' })).resolves.toMatchObject({
      used: 3,
    });
    const view = await service.usageView('period');
    expect(view.features.find((f) => f.feature === 'api_calls')).toMatchObject({
      used: 3,
      windowStart: '2026-04-05T09:00:00.000Z',
      resetsAt: '2026-05-05T09:00:00.000Z',
    });
  });

  it('counts a limit feature without reset and compares quantity plus what is counted against the limit', async () => {
    await expect(
      service.check({ tenantId: 'seats', feature: 'projects', quantity: 3 }),
    ).resolves.toMatchObject({
      allowed: true,
      limit: 3,
    });
    await record('seats', 'projects', 'p1', 2);
    now = new Date('2027-01-01T00:00:00.000Z');
    await expect(
      service.check({ tenantId: 'seats', feature: 'projects', quantity: 2 }),
    ).resolves.toMatchObject({
      allowed: false,
      reason: 'hard_limit_exceeded',
      used: 2,
    });
  });

  it('broadcasts an invalidation with the new version on every recompute', async () => {
    broadcasts.length = 0;
    const snapshot = await service.applyTenantCreated('bcast');
    expect(broadcasts).toEqual([{ tenantId: 'bcast', version: snapshot.version }]);
    await service.applyTenantCreated('bcast');
    expect(broadcasts).toHaveLength(1);
  });
});
