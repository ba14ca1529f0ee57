import type { EntitlementSnapshot } from '@tollgate/contracts';
import { SnapshotCache } from './snapshot-cache';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const snap = (version: number, refreshAt: string | null = null): EntitlementSnapshot =>
  ({ tenantId: 'acme', version, refreshAt }) as EntitlementSnapshot;

describe('SnapshotCache', () => {
  it('serves an entry until its TTL, then forgets it', () => {
    const cache = new SnapshotCache(1000);
    cache.set(snap(1), 0);
    expect(cache.get('acme', 999)?.version).toBe(1);
    expect(cache.get('acme', 1000)).toBeUndefined();
  });

  it('drops an entry on an invalidation naming a newer version only', () => {
    const cache = new SnapshotCache(60_000);
    cache.set(snap(2), 0);
    expect(cache.invalidate('acme', 2)).toBe(false);
    expect(cache.invalidate('acme', 3)).toBe(true);
    expect(cache.get('acme', 1)).toBeUndefined();
  });

  it('never replaces a newer snapshot with an older one, and honours minVersion and refreshAt', () => {
    const cache = new SnapshotCache(60_000);
    cache.set(snap(5, new Date(500).toISOString()), 0);
    cache.set(snap(4), 0);
    expect(cache.get('acme', 1)?.version).toBe(5);
    expect(cache.get('acme', 1, 6)).toBeUndefined();
    cache.set(snap(5, new Date(500).toISOString()), 0);
    expect(cache.get('acme', 500)).toBeUndefined();
  });

  it('evicts the oldest entry past its capacity', () => {
    const cache = new SnapshotCache(60_000, 2);
    for (const tenantId of ['a', 'b', 'c']) cache.set({ ...snap(1), tenantId }, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('c', 1)).toBeDefined();
  });

  describe('load (read from the store, then cache)', () => {
    it('caches what a load read unless an invalidation named a newer version meanwhile', async () => {
      const cache = new SnapshotCache(60_000);
      const read = deferred<EntitlementSnapshot>();
      const loading = cache.load('acme', async (store) => store(await read.promise, 0));
      expect(cache.invalidate('acme', 5)).toBe(false);
      read.resolve(snap(4));
      await expect(loading).resolves.toBe(false);
      expect(cache.get('acme', 1)).toBeUndefined();
      await expect(cache.load('acme', async (store) => store(snap(5), 0))).resolves.toBe(true);
      expect(cache.get('acme', 1)?.version).toBe(5);
    });

    it('raises the floor of every load of the tenant in flight, and of no other tenant', async () => {
      const cache = new SnapshotCache(60_000);
      const reads = [deferred<EntitlementSnapshot>(), deferred<EntitlementSnapshot>()];
      const other = deferred<EntitlementSnapshot>();
      const loads = reads.map((read) => cache.load('acme', async (store) => store(await read.promise, 0)));
      const otherLoad = cache.load('other', async (store) => store(await other.promise, 0));
      cache.invalidate('acme', 3);
      reads[0].resolve(snap(2));
      reads[1].resolve(snap(3));
      other.resolve({ ...snap(1), tenantId: 'other' });
      await expect(Promise.all([...loads, otherLoad])).resolves.toEqual([false, true, true]);
    });

    it('caches nothing a load read before a clear', async () => {
      const cache = new SnapshotCache(60_000);
      const read = deferred<EntitlementSnapshot>();
      const loading = cache.load('acme', async (store) => store(await read.promise, 0));
      cache.clear();
      read.resolve(snap(9));
      await expect(loading).resolves.toBe(false);
      expect(cache.size).toBe(0);
    });

    it('keeps no bookkeeping for finished or failed loads, nor for invalidations with no load', async () => {
      const cache = new SnapshotCache(60_000);
      for (let i = 0; i < 100; i++) cache.invalidate(`tenant-${i}`, 7);
      await cache.load('acme', async (store) => store(snap(1), 0));
      await expect(
        cache.load('acme', async () => {
          throw new Error('database down');
        }),
      ).rejects.toThrow('database down');
      expect(cache.loadsInFlight).toBe(0);
      const read = deferred<EntitlementSnapshot>();
      const loading = cache.load('acme', async (store) => store(await read.promise, 0));
      expect(cache.loadsInFlight).toBe(1);
      read.resolve(snap(2));
      await loading;
      expect(cache.loadsInFlight).toBe(0);
    });
  });
});
