/**
 * The entitlements client library, for any Node service on the NATS bus.
 *
 * Staleness policy: a tenant's snapshot is kept locally and decisions on it are computed here with the
 * service's own pure `decide`. A cached snapshot is trusted while all of these hold:
 * - no invalidation (`entitlements.invalidated.v1`) named a newer version of it;
 * - it was fetched less than `maxStalenessMs` ago (default 30 s): invalidations are core-NATS broadcasts and
 *   can be lost, so this bounds how long a missed one can mislead us;
 * - its `refreshAt` (earliest override expiry) has not passed;
 * - the connection has not reconnected since it was fetched (invalidations may have been missed meanwhile).
 * Otherwise, or on a miss, the snapshot is requested again; a snapshot in use is refetched in the background
 * once 80% of the bound has passed, so a busy tenant does not wait on a refetch. Features whose decision depends on live usage
 * counters (limit and metered) are always asked of the service, since the counters live in its database.
 *
 * Fetches in flight follow the same rules: a reply older than a version announced while it was on its way is
 * asked again (naming that version) rather than cached, and a fetch overtaken by an invalidation that names no
 * version (`invalidate`, a reconnect) is detached: its callers get what it read, nothing it read is cached, and
 * later callers start a fresh fetch. Versions only move forward: a fetch names the version held (or announced)
 * as `minVersion`, and a reply older than the cached snapshot never replaces it.
 *
 * The cache holds at most `maxCachedTenants` snapshots (LocalSnapshotCache: expired ones dropped on access and
 * evicted first, then the least recently used).
 */
import {
  ErrorCode as NatsErrorCode,
  Events,
  headers as natsHeaders,
  type NatsConnection,
  type Subscription,
} from 'nats';
import {
  DomainError,
  EntitlementsSubject,
  ErrorCode,
  Header,
  isErrorEnvelope,
  type CheckRequest,
  type EntitlementDecision,
  type EntitlementSnapshot,
  type InvalidatedMessage,
  type RecordUsageRequest,
  type SnapshotRequest,
  type UsageView,
} from '@tollgate/contracts';
import { currentCorrelationId } from '@tollgate/observability';
import { decide } from './decide';
import { LocalSnapshotCache } from './local-snapshot-cache';

export interface EntitlementsClientOptions {
  nc: NatsConnection;
  /** The NATS_NAMESPACE prefix of the deployment (empty in production). */
  namespace?: string;
  /** How long a cached snapshot is trusted without a fresh fetch (default 30 000 ms). */
  maxStalenessMs?: number;
  requestTimeoutMs?: number;
  /** Refetch a cached tenant's snapshot as soon as it is invalidated (default true). */
  refetchOnInvalidation?: boolean;
  /**
   * Most tenants whose snapshots are kept (default 10 000); past it, expired snapshots and then the least
   * recently used are evicted. A snapshot is a few kilobytes.
   */
  maxCachedTenants?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class EntitlementsClient {
  private readonly cache: LocalSnapshotCache;
  /**
   * The newest version an invalidation named, for tenants cached or being fetched when it arrived (so it grows
   * with the tenants this client uses, not with every tenant announced on the bus); forgotten once a snapshot
   * that new is cached. Older snapshots are never cached. Kept to `maxCachedTenants`: past it, the oldest hint
   * of a tenant not being fetched is forgotten (its next fetch then names no minimum).
   */
  private readonly newestKnown = new Map<string, number>();
  /** The fetch in flight per tenant; `id` tells a detached fetch from the one that replaced it. */
  private readonly pending = new Map<string, { id: number; promise: Promise<EntitlementSnapshot> }>();
  private fetches = 0;
  private readonly maxStalenessMs: number;
  private readonly maxCachedTenants: number;
  private readonly refreshAheadMs: number;
  private readonly timeout: number;
  private readonly clock: () => number;
  private readonly prefix: string;
  private subscription: Subscription | undefined;
  private closed = false;
  /** Counters for tests and metrics: how decisions were answered. */
  readonly stats = { local: 0, fetched: 0, remote: 0, invalidations: 0 };

  private constructor(private readonly options: EntitlementsClientOptions) {
    this.maxStalenessMs = options.maxStalenessMs ?? 30_000;
    this.maxCachedTenants = options.maxCachedTenants ?? 10_000;
    this.cache = new LocalSnapshotCache(this.maxCachedTenants, this.maxStalenessMs);
    this.refreshAheadMs = this.maxStalenessMs * 0.8;
    this.timeout = options.requestTimeoutMs ?? 5000;
    this.clock = options.clock ?? Date.now;
    this.prefix = options.namespace ? `${options.namespace}.` : '';
  }

  /** Subscribes to invalidations (confirmed by the server before this resolves). */
  static async connect(options: EntitlementsClientOptions): Promise<EntitlementsClient> {
    const client = new EntitlementsClient(options);
    client.subscribe();
    await options.nc.flush();
    void client.watchReconnects();
    return client;
  }

  private subscribe(): void {
    this.subscription = this.options.nc.subscribe(`${this.prefix}${EntitlementsSubject.Invalidated}`, {
      callback: (error, msg) => {
        if (error) return;
        try {
          const message = JSON.parse(decoder.decode(msg.data)) as InvalidatedMessage;
          if (typeof message.tenantId === 'string' && typeof message.version === 'number')
            this.onInvalidated(message);
        } catch {
          // A malformed broadcast is ignored; the staleness bound still caps what it could have told us.
        }
      },
    });
  }

  private async watchReconnects(): Promise<void> {
    for await (const status of this.options.nc.status()) {
      if (this.closed) return;
      if (status.type === Events.Reconnect) {
        // Invalidations may have been missed meanwhile, also by fetches still in flight: detach them too.
        this.cache.clear();
        this.pending.clear();
      }
    }
  }

  private onInvalidated({ tenantId, version }: InvalidatedMessage): void {
    this.stats.invalidations += 1;
    const entry = this.cache.peek(tenantId);
    const outdated = entry !== undefined && entry.snapshot.version < version;
    if ((outdated || this.pending.has(tenantId)) && version > (this.newestKnown.get(tenantId) ?? -1))
      this.remember(tenantId, version);
    if (!outdated) return;
    this.cache.delete(tenantId);
    if (this.options.refetchOnInvalidation !== false) this.fetch(tenantId).catch(() => undefined);
  }

  /**
   * A decision from the local snapshot, synchronously, or undefined when it cannot be made locally (no fresh
   * snapshot cached, or a limit/metered feature whose counters live in the service).
   */
  checkLocal(tenantId: string, feature: string, quantity?: number): EntitlementDecision | undefined {
    const now = this.clock();
    const entry = this.cache.get(tenantId, now);
    if (entry === undefined) return undefined;
    const age = now - entry.fetchedAt;
    // Refresh-ahead: a tenant in use is refetched in the background before its bound, so it never misses.
    if (age >= this.refreshAheadMs && !this.pending.has(tenantId))
      this.fetch(tenantId).catch(() => undefined);
    const resolved = entry.snapshot.features[feature];
    if (resolved !== undefined && resolved.type !== 'boolean' && resolved.enabled) return undefined;
    this.stats.local += 1;
    return decide({ snapshot: entry.snapshot, feature, quantity, now: new Date(now) });
  }

  /** A decision: local when possible, else from a freshly fetched snapshot, else asked of the service. */
  async check(tenantId: string, feature: string, quantity?: number): Promise<EntitlementDecision> {
    const local = this.checkLocal(tenantId, feature, quantity);
    if (local) return local;
    if (!this.isFresh(tenantId)) {
      await this.fetch(tenantId);
      const fetched = this.checkLocal(tenantId, feature, quantity);
      if (fetched) return fetched;
    }
    this.stats.remote += 1;
    const request: CheckRequest = { tenantId, feature, ...(quantity !== undefined ? { quantity } : {}) };
    return (await this.request(EntitlementsSubject.Check, request)) as EntitlementDecision;
  }

  /** The tenant's snapshot, from the cache when fresh. */
  async snapshot(tenantId: string): Promise<EntitlementSnapshot> {
    const entry = this.cache.get(tenantId, this.clock());
    if (entry) return entry.snapshot;
    return this.fetch(tenantId);
  }

  async recordUsage(request: RecordUsageRequest): Promise<EntitlementDecision> {
    return (await this.request(EntitlementsSubject.RecordUsage, request)) as EntitlementDecision;
  }

  async usage(tenantId: string): Promise<UsageView> {
    return (await this.request(EntitlementsSubject.Usage, { tenantId })) as UsageView;
  }

  /** Drops a tenant's cached snapshot and detaches a fetch in flight (the next decision fetches anew). */
  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
    this.pending.delete(tenantId);
  }

  close(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
    this.cache.clear();
    this.pending.clear();
    this.newestKnown.clear();
  }

  /** Tenants whose snapshots are cached (expired ones included until accessed or evicted). */
  get cachedTenants(): number {
    return this.cache.size;
  }

  private isFresh(tenantId: string): boolean {
    return this.cache.get(tenantId, this.clock()) !== undefined;
  }

  private remember(tenantId: string, version: number): void {
    this.newestKnown.delete(tenantId);
    this.newestKnown.set(tenantId, version);
    if (this.newestKnown.size <= this.maxCachedTenants) return;
    for (const hinted of this.newestKnown.keys())
      if (!this.pending.has(hinted)) {
        this.newestKnown.delete(hinted);
        return;
      }
  }

  /**
   * One fetch per tenant at a time, naming as `minVersion` the newest version held or announced; a snapshot
   * older than an invalidation already seen is not cached, one older than the cached snapshot does not replace
   * it (its callers get the cached one), and a detached fetch (see the header) caches nothing.
   */
  private fetch(tenantId: string): Promise<EntitlementSnapshot> {
    const inFlight = this.pending.get(tenantId);
    if (inFlight) return inFlight.promise;
    const id = ++this.fetches;
    const attached = () => this.pending.get(tenantId)?.id === id;
    const promise = (async () => {
      // An invalidation may arrive while a fetch is in flight: ask again, naming the newer version.
      for (let attempt = 0; ; attempt++) {
        const minVersion = this.floor(tenantId);
        const request: SnapshotRequest = { tenantId, ...(minVersion !== undefined ? { minVersion } : {}) };
        const fetchedAt = this.clock();
        const snapshot = (await this.request(EntitlementsSubject.Snapshot, request)) as EntitlementSnapshot;
        this.stats.fetched += 1;
        if (!attached() || this.closed) return snapshot;
        const newest = this.newestKnown.get(tenantId);
        if (newest === undefined || snapshot.version >= newest) {
          this.newestKnown.delete(tenantId);
          return this.cache.offer(tenantId, snapshot, fetchedAt, this.clock());
        }
        if (attempt >= 2) return snapshot;
      }
    })().finally(() => {
      if (attached()) this.pending.delete(tenantId);
    });
    this.pending.set(tenantId, { id, promise });
    return promise;
  }

  /** The version a fetch must not go below: the newer of the one announced and the one cached, if any. */
  private floor(tenantId: string): number | undefined {
    const announced = this.newestKnown.get(tenantId);
    const cached = this.cache.peek(tenantId)?.snapshot.version;
    if (announced === undefined || cached === undefined) return announced ?? cached;
    return Math.max(announced, cached);
  }

  private async request(subject: string, payload: unknown): Promise<unknown> {
    const headers = natsHeaders();
    const correlationId = currentCorrelationId();
    if (correlationId) headers.set(Header.CorrelationId, correlationId);
    let reply;
    try {
      reply = await this.options.nc.request(
        `${this.prefix}${subject}`,
        encoder.encode(JSON.stringify(payload)),
        {
          timeout: this.timeout,
          headers,
        },
      );
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === NatsErrorCode.NoResponders)
        throw new DomainError(ErrorCode.UpstreamUnavailable, `no service answers ${subject}`);
      if (code === NatsErrorCode.Timeout)
        throw new DomainError(ErrorCode.Timeout, `${subject} did not answer in ${this.timeout} ms`);
      throw error;
    }
    const value: unknown = JSON.parse(decoder.decode(reply.data));
    if (isErrorEnvelope(value))
      throw new DomainError(value.error.code, value.error.message, value.error.details);
    return value;
  }
}
