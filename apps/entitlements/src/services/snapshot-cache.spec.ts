import type { EntitlementSnapshot } from '@tollgate/contracts';
import { SnapshotCache } from './snapshot-cache';

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

const snap = (version: number, refreshAt: string | null = null): EntitlementSnapshot =>
  ({ tenantId: 'acme', version, refreshAt }) as EntitlementSnapshot;

describe('SnapshotCache', () => {
  it('serves an entry until its TTL, then forgets it', () => {
    const cache = new SnapshotCache(1000, 1000);
    cache.set(snap(1), 0);
    expect(cache.get('acme', 999)?.version).toBe(1);
    expect(cache.get('acme', 1000)).toBeUndefined();
  });

  it('drops an entry on an invalidation naming a newer version only', () => {
    const cache = new SnapshotCache(60_000, 1000);
    cache.set(snap(2), 0);
    expect(cache.invalidate('acme', 2)).toBe(false);
    expect(cache.invalidate('acme', 3)).toBe(true);
    expect(cache.get('acme', 1)).toBeUndefined();
  });

  it('never replaces a newer snapshot with an older one, and honours minVersion and refreshAt', () => {
    const cache = new SnapshotCache(60_000, 1000);
    cache.set(snap(5, new Date(500).toISOString()), 0);
    cache.set(snap(4), 0);
    expect(cache.get('acme', 1)?.version).toBe(5);
    expect(cache.get('acme', 1, 6)).toBeUndefined();
    cache.set(snap(5, new Date(500).toISOString()), 0);
    expect(cache.get('acme', 500)).toBeUndefined();
  });

  it('holds at most its capacity, evicting the first inserted when none was used since', () => {
    const cache = new SnapshotCache(60_000, 2);
    for (const tenantId of ['a', 'b', 'c']) cache.set({ ...snap(1), tenantId }, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('c', 1)).toBeDefined();
  });

  it('evicts the least recently used entry, not the first inserted', () => {
    const cache = new SnapshotCache(60_000, 2);
    for (const tenantId of ['a', 'b']) cache.set({ ...snap(1), tenantId }, 0);
    expect(cache.get('a', 1)).toBeDefined();
    cache.set({ ...snap(1), tenantId: 'c' }, 0);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
  });

  it('counts replacing an entry with a newer version as a use', () => {
    const cache = new SnapshotCache(60_000, 2);
    for (const tenantId of ['a', 'b']) cache.set({ ...snap(1), tenantId }, 0);
    cache.set({ ...snap(2), tenantId: 'a' }, 0);
    cache.set({ ...snap(1), tenantId: 'c' }, 0);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)?.version).toBe(2);
  });

  describe('load (read from the store, then cache)', () => {
    it('caches what a load read unless an invalidation named a newer version meanwhile', async () => {
      const cache = new SnapshotCache(60_000, 1000);
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
      const cache = new SnapshotCache(60_000, 1000);
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
      const cache = new SnapshotCache(60_000, 1000);
      const read = deferred<EntitlementSnapshot>();
      const loading = cache.load('acme', async (store) => store(await read.promise, 0));
      cache.clear();
      read.resolve(snap(9));
      await expect(loading).resolves.toBe(false);
      expect(cache.size).toBe(0);
    });

    it('keeps no bookkeeping for finished or failed loads, nor for invalidations with no load', async () => {
      const cache = new SnapshotCache(60_000, 1000);
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

  describe('read (a load concurrent callers share)', () => {
    /** A read whose store read the test resolves; counts how many store reads were started. */
    function reads(cache: SnapshotCache) {
      const started: Deferred<EntitlementSnapshot>[] = [];
      const read = () =>
        cache.read('acme', async (store) => {
          const pending = deferred<EntitlementSnapshot>();
          started.push(pending);
          const snapshot = await pending.promise;
          store(snapshot, 0);
          return snapshot;
        });
      return { started, read };
    }

    it('gives concurrent callers of one tenant the result of one store read', async () => {
      const cache = new SnapshotCache(60_000, 1000);
      const { started, read } = reads(cache);
      const callers = [read(), read(), read()];
      expect(started).toHaveLength(1);
      started[0].resolve(snap(4));
      await expect(Promise.all(callers)).resolves.toEqual([snap(4), snap(4), snap(4)]);
      expect(cache.get('acme', 1)?.version).toBe(4);
      expect(cache.joinableReads).toBe(0);
    });

    it('is not joined by a caller arriving after an invalidation, whose own read later callers join', async () => {
      const cache = new SnapshotCache(60_000, 1000);
      const { started, read } = reads(cache);
      const before = read();
      cache.invalidate('acme', 5);
      const after = [read(), read()];
      expect(started).toHaveLength(2);
      started[1].resolve(snap(5));
      await expect(Promise.all(after)).resolves.toEqual([snap(5), snap(5)]);
      started[0].resolve(snap(4));
      await expect(before).resolves.toEqual(snap(4));
      expect(cache.get('acme', 1)?.version).toBe(5);
      expect(cache.joinableReads).toBe(0);
      expect(cache.loadsInFlight).toBe(0);
    });

    it('is not joined by a caller arriving after a clear, and caches only the later read', async () => {
      const cache = new SnapshotCache(60_000, 1000);
      const { started, read } = reads(cache);
      const before = read();
      cache.clear();
      const after = read();
      expect(started).toHaveLength(2);
      started[0].resolve(snap(4));
      await before;
      expect(cache.get('acme', 1)).toBeUndefined();
      started[1].resolve(snap(4));
      await after;
      expect(cache.get('acme', 1)?.version).toBe(4);
    });

    it('fails every caller of a failed read, and the next caller reads anew', async () => {
      const cache = new SnapshotCache(60_000, 1000);
      const { started, read } = reads(cache);
      const callers = [read(), read()];
      started[0].reject(new Error('database down'));
      await expect(Promise.all(callers.map((c) => c.catch((e: Error) => e.message)))).resolves.toEqual([
        'database down',
        'database down',
      ]);
      expect(cache.joinableReads).toBe(0);
      const next = read();
      expect(started).toHaveLength(2);
      started[1].resolve(snap(4));
      await expect(next).resolves.toEqual(snap(4));
    });
  });
});
