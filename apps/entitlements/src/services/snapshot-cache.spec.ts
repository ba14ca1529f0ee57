import type { EntitlementSnapshot } from '@tollgate/contracts';
import { SnapshotCache } from './snapshot-cache';

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
});
