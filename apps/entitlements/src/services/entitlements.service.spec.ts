import type { EntityManager } from 'typeorm';
import type { EntitlementSnapshot, SubscriptionChangedEvent } from '@tollgate/contracts';
import type { OverrideRepository } from '../repositories/override.repository';
import type { TenantEntitlementsRepository, TenantRow } from '../repositories/tenant-entitlements.repository';
import type { UsageRepository } from '../repositories/usage.repository';
import { EntitlementsService, type Broadcaster } from './entitlements.service';

const NOW = new Date('2026-03-10T12:00:00.000Z');

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise continuation already queued run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function snapshot(overrides: Partial<EntitlementSnapshot> = {}): EntitlementSnapshot {
  return {
    tenantId: 'acme',
    plan: 'pro',
    interval: 'month',
    state: 'active',
    periodStart: '2026-03-01T00:00:00.000Z',
    periodEnd: '2026-04-01T00:00:00.000Z',
    graceUntil: null,
    features: {},
    version: 4,
    computedAt: '2026-03-01T00:00:00.000Z',
    staleAfter: null,
    refreshAt: null,
    ...overrides,
  };
}

function row(version: number, overrides: Partial<EntitlementSnapshot> = {}): TenantRow {
  return {
    facts: null,
    subscriptionVersion: 0,
    revision: version,
    snapshot: snapshot({ version, ...overrides }),
  };
}

/**
 * A tenant store whose reads (`find`) and transaction commits (`save`) wait until the test releases them, so a
 * test decides exactly what happens between the read and the cache write.
 */
class ControlledTenants {
  readonly reads: Deferred<TenantRow | null>[] = [];
  readonly commits: Deferred<void>[] = [];
  current: TenantRow | null = null;

  find(): Promise<TenantRow | null> {
    const read = deferred<TenantRow | null>();
    this.reads.push(read);
    return read.promise;
  }

  locked<T>(
    _tenantId: string,
    work: (manager: EntityManager, row: TenantRow | null) => Promise<T>,
  ): Promise<T> {
    return work({} as EntityManager, this.current);
  }

  save(): Promise<void> {
    const commit = deferred<void>();
    this.commits.push(commit);
    return commit.promise;
  }
}

function setup(maxTenants = 200_000) {
  const tenants = new ControlledTenants();
  const broadcasts: unknown[] = [];
  const broadcaster: Broadcaster = { broadcast: (_subject, payload) => broadcasts.push(payload) };
  const overrides = { live: async () => [] } as unknown as OverrideRepository;
  const service = new EntitlementsService(
    {
      ENTITLEMENTS_STALENESS_BOUND_SECONDS: 3 * 86_400,
      ENTITLEMENTS_CACHE_TTL_MS: 30_000,
      ENTITLEMENTS_CACHE_MAX_TENANTS: maxTenants,
      ENTITLEMENTS_DEFAULT_WARN_AT: 0.8,
    },
    tenants as unknown as TenantEntitlementsRepository,
    overrides,
    {} as UsageRepository,
    broadcaster,
    () => NOW,
  );
  return { service, tenants, broadcasts };
}

function subscriptionChanged(version: number): SubscriptionChangedEvent {
  return {
    tenantId: 'acme',
    plan: 'pro',
    interval: 'month',
    state: 'active',
    previousState: 'none',
    seats: 5,
    periodStart: '2026-03-01T00:00:00.000Z',
    periodEnd: '2026-04-01T00:00:00.000Z',
    graceUntil: null,
    cause: 'test',
    at: NOW.toISOString(),
    version,
  };
}

describe('EntitlementsService snapshot cache and invalidations', () => {
  it('keeps at most ENTITLEMENTS_CACHE_MAX_TENANTS tenants, evicting the least recently used', async () => {
    const { service, tenants } = setup(2);
    const readFromStore = async (tenantId: string) => {
      const loading = service.snapshot(tenantId);
      await settle();
      tenants.reads.at(-1)!.resolve(row(4, { tenantId }));
      return loading;
    };
    await readFromStore('acme');
    await readFromStore('beta');
    // A hit: acme is now the most recently used, and the store is not read.
    await expect(service.snapshot('acme')).resolves.toMatchObject({ tenantId: 'acme' });
    expect(tenants.reads).toHaveLength(2);
    await readFromStore('gamma');
    expect(tenants.reads).toHaveLength(3);
    expect(service.cachedSnapshot('beta')).toBeUndefined();
    expect(service.cachedSnapshot('acme')?.tenantId).toBe('acme');
    expect(service.cachedSnapshot('gamma')?.tenantId).toBe('gamma');
  });

  it('does not cache a snapshot read before an invalidation naming a newer version', async () => {
    const { service, tenants } = setup();
    const loading = service.snapshot('acme');
    await settle();
    expect(tenants.reads).toHaveLength(1);
    // Another replica commits version 5 and broadcasts it while our read of version 4 is on its way back.
    service.onInvalidated({ tenantId: 'acme', version: 5 });
    tenants.reads[0].resolve(row(4));
    await expect(loading).resolves.toMatchObject({ version: 4 });
    expect(service.cachedSnapshot('acme')).toBeUndefined();

    const next = service.snapshot('acme');
    await settle();
    expect(tenants.reads).toHaveLength(2);
    tenants.reads[1].resolve(row(5));
    await expect(next).resolves.toMatchObject({ version: 5 });
    expect(service.cachedSnapshot('acme')?.version).toBe(5);
    expect(service.cache.loadsInFlight).toBe(0);
  });

  it('caches a snapshot read during an invalidation when the read already has that version', async () => {
    const { service, tenants } = setup();
    const loading = service.snapshot('acme');
    await settle();
    service.onInvalidated({ tenantId: 'acme', version: 5 });
    tenants.reads[0].resolve(row(5));
    await loading;
    expect(service.cachedSnapshot('acme')?.version).toBe(5);
  });

  it('does not cache a snapshot read before the cache was cleared (a reconnect)', async () => {
    const { service, tenants } = setup();
    const loading = service.snapshot('acme');
    await settle();
    service.cache.clear();
    tenants.reads[0].resolve(row(4));
    await expect(loading).resolves.toMatchObject({ version: 4 });
    expect(service.cachedSnapshot('acme')).toBeUndefined();
  });

  it('lets a read started after the invalidation cache, but not one started before it', async () => {
    const { service, tenants } = setup();
    const before = service.snapshot('acme');
    await settle();
    service.onInvalidated({ tenantId: 'acme', version: 5 });
    const after = service.snapshot('acme');
    await settle();
    expect(tenants.reads).toHaveLength(2);
    tenants.reads[1].resolve(row(5));
    await expect(after).resolves.toMatchObject({ version: 5 });
    tenants.reads[0].resolve(row(4));
    await expect(before).resolves.toMatchObject({ version: 4 });
    expect(service.cachedSnapshot('acme')?.version).toBe(5);
  });

  it('does not cache its own recompute when a newer one was announced before it could', async () => {
    const { service, tenants, broadcasts } = setup();
    tenants.current = row(5);
    const applying = service.applySubscriptionChanged(subscriptionChanged(2));
    await settle();
    expect(tenants.commits).toHaveLength(1);
    // Our recompute (version 6) is committing; another replica then commits version 7 and its broadcast
    // reaches us before our commit returns.
    service.onInvalidated({ tenantId: 'acme', version: 7 });
    tenants.commits[0].resolve();
    await expect(applying).resolves.toMatchObject({ version: 6 });
    expect(service.cachedSnapshot('acme')).toBeUndefined();
    expect(broadcasts).toEqual([{ tenantId: 'acme', version: 6 }]);
  });

  it('caches its own recompute when nothing newer was announced', async () => {
    const { service, tenants } = setup();
    tenants.current = row(5);
    const applying = service.applySubscriptionChanged(subscriptionChanged(2));
    await settle();
    service.onInvalidated({ tenantId: 'acme', version: 6 });
    tenants.commits[0].resolve();
    await applying;
    expect(service.cachedSnapshot('acme')?.version).toBe(6);
  });
});

describe('EntitlementsService coalescing of concurrent snapshot reads', () => {
  it('reads an uncached tenant once for any number of simultaneous callers', async () => {
    const { service, tenants } = setup();
    const callers = Array.from({ length: 5 }, () => service.snapshot('acme'));
    await settle();
    expect(tenants.reads).toHaveLength(1);
    tenants.reads[0].resolve(row(4));
    const results = await Promise.all(callers);
    expect(results.map((s) => s.version)).toEqual([4, 4, 4, 4, 4]);
    expect(service.cachedSnapshot('acme')?.version).toBe(4);
    expect(service.cache.joinableReads).toBe(0);
  });

  it('does not let callers arriving after an invalidation join the read started before it', async () => {
    const { service, tenants } = setup();
    const before = [service.snapshot('acme'), service.snapshot('acme')];
    await settle();
    service.onInvalidated({ tenantId: 'acme', version: 5 });
    const after = [service.snapshot('acme'), service.snapshot('acme')];
    await settle();
    // One read for the callers before the invalidation, one shared by those after it.
    expect(tenants.reads).toHaveLength(2);
    tenants.reads[0].resolve(row(4));
    await expect(Promise.all(before)).resolves.toMatchObject([{ version: 4 }, { version: 4 }]);
    expect(service.cachedSnapshot('acme')).toBeUndefined();
    tenants.reads[1].resolve(row(5));
    await expect(Promise.all(after)).resolves.toMatchObject([{ version: 5 }, { version: 5 }]);
    expect(service.cachedSnapshot('acme')?.version).toBe(5);
  });

  it('does not let callers arriving after a reconnect (clear) join the read started before it', async () => {
    const { service, tenants } = setup();
    const before = service.snapshot('acme');
    await settle();
    service.cache.clear();
    const after = service.snapshot('acme');
    await settle();
    expect(tenants.reads).toHaveLength(2);
    tenants.reads[0].resolve(row(4));
    await before;
    expect(service.cachedSnapshot('acme')).toBeUndefined();
    tenants.reads[1].resolve(row(5));
    await expect(after).resolves.toMatchObject({ version: 5 });
    expect(service.cachedSnapshot('acme')?.version).toBe(5);
  });

  it('reads again for a caller whose minVersion the shared read did not reach', async () => {
    const { service, tenants } = setup();
    const plain = service.snapshot('acme');
    await settle();
    // A client heard of version 5 before this replica did, and asks for it while the read is in flight.
    const demanding = service.snapshot('acme', 5);
    await settle();
    expect(tenants.reads).toHaveLength(1);
    tenants.reads[0].resolve(row(4));
    await expect(plain).resolves.toMatchObject({ version: 4 });
    await settle();
    expect(tenants.reads).toHaveLength(2);
    tenants.reads[1].resolve(row(5));
    await expect(demanding).resolves.toMatchObject({ version: 5 });
    expect(service.cachedSnapshot('acme')?.version).toBe(5);
  });

  it('recomputes a snapshot whose override expired once for simultaneous callers', async () => {
    const { service, tenants, broadcasts } = setup();
    const expired = row(5, { refreshAt: new Date(NOW.getTime() - 1000).toISOString() });
    tenants.current = expired;
    const callers = Array.from({ length: 3 }, () => service.snapshot('acme'));
    await settle();
    expect(tenants.reads).toHaveLength(1);
    tenants.reads[0].resolve(expired);
    await settle();
    expect(tenants.commits).toHaveLength(1);
    tenants.commits[0].resolve();
    const results = await Promise.all(callers);
    expect(results.map((s) => s.version)).toEqual([6, 6, 6]);
    expect(broadcasts).toEqual([{ tenantId: 'acme', version: 6 }]);
  });

  it('fails every caller of a failed read and keeps nothing of it', async () => {
    const { service, tenants } = setup();
    const callers = [service.snapshot('acme'), service.snapshot('acme')];
    await settle();
    expect(tenants.reads).toHaveLength(1);
    tenants.reads[0].reject(new Error('database down'));
    for (const caller of callers) await expect(caller).rejects.toThrow('database down');
    expect(service.cache.joinableReads).toBe(0);
    expect(service.cache.loadsInFlight).toBe(0);
  });
});
