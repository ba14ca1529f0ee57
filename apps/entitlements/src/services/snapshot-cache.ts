/**
 * Per-replica snapshot cache. Staleness bound: an entry is served while it is younger than the TTL
 * (ENTITLEMENTS_CACHE_TTL_MS) and its `refreshAt` has not passed; an invalidation broadcast naming a newer
 * version drops it at once. The TTL bounds the damage of a lost broadcast (core NATS is at-most-once).
 */
import type { EntitlementSnapshot } from '@tollgate/contracts';

interface Entry {
  snapshot: EntitlementSnapshot;
  loadedAt: number;
  refreshAt: number;
}

export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200_000,
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

  /** Keeps the newer of the cached and the offered snapshot. */
  set(snapshot: EntitlementSnapshot, now: number): void {
    const current = this.entries.get(snapshot.tenantId);
    if (current && current.snapshot.version > snapshot.version) return;
    if (!current && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(snapshot.tenantId, {
      snapshot,
      loadedAt: now,
      refreshAt: snapshot.refreshAt ? Date.parse(snapshot.refreshAt) : Infinity,
    });
  }

  /** Drops the entry if it is older than `version`; true when something was dropped. */
  invalidate(tenantId: string, version: number): boolean {
    const entry = this.entries.get(tenantId);
    if (!entry || entry.snapshot.version >= version) return false;
    this.entries.delete(tenantId);
    return true;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
