/**
 * Per-replica snapshot cache. Staleness bound: an entry is served while it is younger than the TTL
 * (ENTITLEMENTS_CACHE_TTL_MS) and its `refreshAt` has not passed; an invalidation broadcast naming a newer
 * version drops it at once. The TTL bounds the damage of a lost broadcast (core NATS is at-most-once).
 *
 * Read-then-cache rule: whatever is read from Postgres is cached through `load`, never straight through `set`.
 * A load is registered before its read starts; an invalidation arriving while it is in flight (nothing cached
 * yet, so nothing to drop) raises the load's floor to the version it names, and `clear` raises every floor to
 * infinity. A load whose result is older than its floor hands the result to its caller but does not cache it,
 * so a read that lost the race with a change can never outlive that change's broadcast. Loads are forgotten
 * when they finish: the bookkeeping is bounded by the loads in flight, not by the tenants ever invalidated.
 *
 * Coalescing rule: concurrent `read`s of one tenant share one load, but only until an invalidation for that
 * tenant (or a `clear`) reaches it: from then on it is detached, so later callers start a fresh read (which
 * sees the change) instead of joining one that may predate it. Its own callers still get what it read.
 *
 * Size: at most `maxEntries` tenants, the least recently used evicted first (LruMap: a hit costs O(1)).
 */
import type { EntitlementSnapshot } from '@tollgate/contracts';
import { LruMap } from '@tollgate/entitlements-client';

interface Entry {
  snapshot: EntitlementSnapshot;
  loadedAt: number;
  refreshAt: number;
}

/** A read of one tenant's snapshot in flight; `floor` is the newest version announced since it started. */
interface Load {
  floor: number;
}

/** Caches `snapshot` unless an invalidation announced a newer version since the load began; true if cached. */
export type StoreLoaded = (snapshot: EntitlementSnapshot, now: number) => boolean;

export class SnapshotCache {
  private readonly entries = new LruMap<string, Entry>();
  private readonly loads = new Map<string, Set<Load>>();
  /** The joinable read per tenant (see `read`); a detached read is no longer here. */
  private readonly reads = new Map<string, Promise<EntitlementSnapshot>>();

  constructor(
    private readonly ttlMs: number,
    /** ENTITLEMENTS_CACHE_MAX_TENANTS. */
    private readonly maxEntries: number,
  ) {}

  get(tenantId: string, now: number, minVersion = 0): EntitlementSnapshot | undefined {
    const entry = this.entries.get(tenantId);
    if (entry === undefined) return undefined;
    if (now - entry.loadedAt >= this.ttlMs || now >= entry.refreshAt || entry.snapshot.version < minVersion) {
      this.entries.delete(tenantId);
      return undefined;
    }
    return entry.snapshot;
  }

  /** Keeps the newer of the cached and the offered snapshot. For what was read from the store, use `load`. */
  set(snapshot: EntitlementSnapshot, now: number): void {
    const current = this.entries.peek(snapshot.tenantId);
    if (current && current.snapshot.version > snapshot.version) return;
    if (!current && this.entries.size >= this.maxEntries) {
      const leastRecentlyUsed = this.entries.leastRecentKey();
      if (leastRecentlyUsed !== undefined) this.entries.delete(leastRecentlyUsed);
    }
    this.entries.set(snapshot.tenantId, {
      snapshot,
      loadedAt: now,
      refreshAt: snapshot.refreshAt ? Date.parse(snapshot.refreshAt) : Infinity,
    });
  }

  /**
   * Runs `work`, which reads the tenant's snapshot from the store and offers it to `store`, as a registered load:
   * `store` caches only if no invalidation announced a newer version (and no `clear`) since `work` started.
   */
  async load<T>(tenantId: string, work: (store: StoreLoaded) => Promise<T>): Promise<T> {
    const load: Load = { floor: -1 };
    let loads = this.loads.get(tenantId);
    if (loads === undefined) this.loads.set(tenantId, (loads = new Set()));
    loads.add(load);
    try {
      return await work((snapshot, now) => {
        if (snapshot.version < load.floor) return false;
        this.set(snapshot, now);
        return true;
      });
    } finally {
      loads.delete(load);
      if (loads.size === 0) this.loads.delete(tenantId);
    }
  }

  /**
   * A `load` that concurrent callers share: joins the tenant's read in flight unless an invalidation or a `clear`
   * reached it since it began, else starts one that later callers join. `work` must produce the tenant's current
   * snapshot (recomputing one that is due counts), never apply one caller's change: every joiner gets its result.
   */
  read(
    tenantId: string,
    work: (store: StoreLoaded) => Promise<EntitlementSnapshot>,
  ): Promise<EntitlementSnapshot> {
    const joinable = this.reads.get(tenantId);
    if (joinable !== undefined) return joinable;
    const reading: Promise<EntitlementSnapshot> = this.load(tenantId, work).finally(() => {
      if (this.reads.get(tenantId) === reading) this.reads.delete(tenantId);
    });
    this.reads.set(tenantId, reading);
    return reading;
  }

  /**
   * Drops the entry if it is older than `version`, keeps the tenant's loads in flight from caching anything
   * older, and detaches its read in flight from later callers; true when an entry was dropped.
   */
  invalidate(tenantId: string, version: number): boolean {
    for (const load of this.loads.get(tenantId) ?? []) load.floor = Math.max(load.floor, version);
    this.reads.delete(tenantId);
    const entry = this.entries.peek(tenantId);
    if (!entry || entry.snapshot.version >= version) return false;
    this.entries.delete(tenantId);
    return true;
  }

  /**
   * Forgets every entry; loads in flight cache nothing and reads in flight are detached (what they read may
   * predate what we missed).
   */
  clear(): void {
    this.entries.clear();
    this.reads.clear();
    for (const loads of this.loads.values()) for (const load of loads) load.floor = Infinity;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Loads in flight, all tenants together (what the invalidation bookkeeping holds). */
  get loadsInFlight(): number {
    let count = 0;
    for (const loads of this.loads.values()) count += loads.size;
    return count;
  }

  /** Tenants with a read that later callers would join. */
  get joinableReads(): number {
    return this.reads.size;
  }
}
