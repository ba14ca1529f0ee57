import type { EntitlementSnapshot } from '@tollgate/contracts';
import { LocalSnapshotCache } from './local-snapshot-cache';

const snap = (tenantId: string, version: number, refreshAt: string | null = null): EntitlementSnapshot =>
  ({ tenantId, version, refreshAt }) as EntitlementSnapshot;

describe('LocalSnapshotCache', () => {
  it('never replaces a cached snapshot with an older version, and answers the newer one', () => {
    const cache = new LocalSnapshotCache(10, 30_000);
    cache.offer('acme', snap('acme', 5), 0, 0);
    expect(cache.offer('acme', snap('acme', 4), 100, 100).version).toBe(5);
    expect(cache.get('acme', 100)).toMatchObject({ fetchedAt: 0, snapshot: { version: 5 } });
    expect(cache.offer('acme', snap('acme', 6), 200, 200).version).toBe(6);
    expect(cache.get('acme', 200)?.snapshot.version).toBe(6);
  });

  it('takes an equal version as confirmation: its fetch time restarts the staleness bound', () => {
    const cache = new LocalSnapshotCache(10, 30_000);
    cache.offer('acme', snap('acme', 5), 0, 0);
    cache.offer('acme', snap('acme', 5), 20_000, 20_000);
    expect(cache.get('acme', 40_000)?.fetchedAt).toBe(20_000);
  });

  it('drops an entry past its refreshAt when accessed', () => {
    const cache = new LocalSnapshotCache(10, 30_000);
    cache.offer('acme', snap('acme', 1, new Date(500).toISOString()), 0, 0);
    expect(cache.get('acme', 499)).toBeDefined();
    expect(cache.get('acme', 500)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not count a peek as a use', () => {
    const cache = new LocalSnapshotCache(2, 30_000);
    cache.offer('a', snap('a', 1), 0, 0);
    cache.offer('b', snap('b', 1), 0, 0);
    expect(cache.peek('a')).toBeDefined();
    cache.offer('c', snap('c', 1), 0, 0);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('b')).toBeDefined();
  });

  it('counts a newer version replacing an entry as a use', () => {
    const cache = new LocalSnapshotCache(2, 30_000);
    cache.offer('a', snap('a', 1), 0, 0);
    cache.offer('b', snap('b', 1), 0, 0);
    cache.offer('a', snap('a', 2), 0, 0);
    cache.offer('c', snap('c', 1), 0, 0);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('a')?.snapshot.version).toBe(2);
  });
});
