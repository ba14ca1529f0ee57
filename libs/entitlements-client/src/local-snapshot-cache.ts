/**
 * The client library's bounded snapshot cache.
 *
 * - Size: at most `maxEntries` tenants. When full, an entry past the staleness bound goes first (the oldest
 *   fetched is checked, which is where such entries collect), else the least recently used one.
 * - Expiry: an entry older than `maxAgeMs` since its fetch, or past its `refreshAt`, is dropped when accessed.
 * - Monotonic: a snapshot never replaces a newer cached version of the same tenant (a replica that missed a
 *   broadcast may still answer an older one); an equal version refreshes the fetch time.
 */
import type { EntitlementSnapshot } from '@tollgate/contracts';
import { LruMap } from './lru-map';

export interface CachedSnapshot {
  readonly tenantId: string;
  readonly snapshot: EntitlementSnapshot;
  readonly fetchedAt: number;
  /** `refreshAt` parsed once, Infinity when none. */
  readonly refreshAt: number;
}

export class LocalSnapshotCache {
  private readonly byUse = new LruMap<string, CachedSnapshot>();
  /** Oldest cached first: expired entries collect at the front (changes only when something is cached). */
  private readonly byFetch = new Map<string, CachedSnapshot>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
      throw new Error(`maxCachedTenants must be a positive integer, got ${maxEntries}`);
  }

  /** The tenant's entry if still within its bounds, marked as just used; an expired entry is dropped. */
  get(tenantId: string, now: number): CachedSnapshot | undefined {
    const entry = this.byUse.get(tenantId);
    if (entry === undefined) return undefined;
    if (this.expired(entry, now)) {
      this.delete(tenantId);
      return undefined;
    }
    return entry;
  }

  /** The tenant's entry, expired or not, without marking it used. */
  peek(tenantId: string): CachedSnapshot | undefined {
    return this.byUse.peek(tenantId);
  }

  /**
   * Caches `snapshot` unless a newer version of the tenant is cached; returns whichever is cached afterwards.
   * Caching evicts one entry when full (see the header).
   */
  offer(
    tenantId: string,
    snapshot: EntitlementSnapshot,
    fetchedAt: number,
    now: number,
  ): EntitlementSnapshot {
    const current = this.byUse.peek(tenantId);
    if (current !== undefined && current.snapshot.version > snapshot.version) return current.snapshot;
    if (current !== undefined) this.delete(tenantId);
    else if (this.byUse.size >= this.maxEntries) this.evictOne(now);
    const entry: CachedSnapshot = {
      tenantId,
      snapshot,
      fetchedAt,
      refreshAt: snapshot.refreshAt ? Date.parse(snapshot.refreshAt) : Infinity,
    };
    this.byUse.set(tenantId, entry);
    this.byFetch.set(tenantId, entry);
    return snapshot;
  }

  delete(tenantId: string): void {
    this.byUse.delete(tenantId);
    this.byFetch.delete(tenantId);
  }

  clear(): void {
    this.byUse.clear();
    this.byFetch.clear();
  }

  get size(): number {
    return this.byUse.size;
  }

  private expired(entry: CachedSnapshot, now: number): boolean {
    return now - entry.fetchedAt >= this.maxAgeMs || now >= entry.refreshAt;
  }

  private evictOne(now: number): void {
    const oldest = this.byFetch.values().next();
    const victim =
      !oldest.done && this.expired(oldest.value, now) ? oldest.value.tenantId : this.byUse.leastRecentKey();
    if (victim !== undefined) this.delete(victim);
  }
}
