import { Events, type Msg, type NatsConnection, type Status } from 'nats';
import type { EntitlementSnapshot, ResolvedFeature, SnapshotRequest } from '@tollgate/contracts';
import { EntitlementsClient, type EntitlementsClientOptions } from './entitlements-client';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every promise continuation already queued run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

function snapshot(version: number, sso: boolean): EntitlementSnapshot {
  const feature: ResolvedFeature = {
    key: 'sso',
    type: 'boolean',
    enabled: sso,
    mutating: false,
    source: 'plan',
  };
  return {
    tenantId: 'acme',
    plan: 'pro',
    interval: 'month',
    state: 'active',
    periodStart: '2026-03-01T00:00:00.000Z',
    periodEnd: '2026-04-01T00:00:00.000Z',
    graceUntil: null,
    features: { sso: feature },
    version,
    computedAt: '2026-03-01T00:00:00.000Z',
    staleAfter: null,
    refreshAt: null,
  };
}

/**
 * The slice of a NATS connection the client uses. Snapshot requests wait until the test answers them, and
 * invalidations and reconnects are delivered when the test says, so each test fixes the interleaving.
 */
class ControlledNats {
  readonly requests: { payload: SnapshotRequest; reply: Deferred<Pick<Msg, 'data'>> }[] = [];
  private invalidations?: (error: Error | null, msg: Pick<Msg, 'data'>) => void;
  private readonly statuses: Status[] = [];
  private wake?: () => void;

  subscribe(_subject: string, opts: { callback: ControlledNats['invalidations'] }) {
    this.invalidations = opts.callback;
    return { unsubscribe: () => undefined };
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  async *status(): AsyncIterable<Status> {
    for (;;) {
      const next = this.statuses.shift();
      if (next) yield next;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  request(_subject: string, data: Uint8Array): Promise<Pick<Msg, 'data'>> {
    const reply = deferred<Pick<Msg, 'data'>>();
    this.requests.push({ payload: JSON.parse(new TextDecoder().decode(data)) as SnapshotRequest, reply });
    return reply.promise;
  }

  answer(index: number, value: EntitlementSnapshot): void {
    this.requests[index].reply.resolve({ data: encode(value) });
  }

  announce(tenantId: string, version: number): void {
    this.invalidations?.(null, { data: encode({ tenantId, version }) });
  }

  reconnect(): void {
    this.statuses.push({ type: Events.Reconnect, data: 'nats://127.0.0.1:4222' });
    this.wake?.();
  }
}

/** Fetches a tenant's snapshot into the client's cache, answering the request it makes. */
async function hold(
  nats: ControlledNats,
  client: EntitlementsClient,
  tenantId: string,
  version = 1,
  sso = true,
): Promise<void> {
  const fetching = client.snapshot(tenantId);
  await settle();
  nats.answer(nats.requests.length - 1, { ...snapshot(version, sso), tenantId });
  await fetching;
}

async function connect(options: Partial<EntitlementsClientOptions> = {}) {
  const nats = new ControlledNats();
  const client = await EntitlementsClient.connect({
    nc: nats as unknown as NatsConnection,
    clock: () => 1_000,
    ...options,
  });
  return { nats, client };
}

describe('EntitlementsClient cache and invalidations', () => {
  it('neither caches nor hands to later callers a fetch overtaken by invalidate()', async () => {
    const { nats, client } = await connect();
    try {
      const before = client.snapshot('acme');
      await settle();
      client.invalidate('acme');
      const after = client.snapshot('acme');
      await settle();
      expect(nats.requests).toHaveLength(2);
      nats.answer(1, snapshot(1, true));
      await expect(after).resolves.toMatchObject({ features: { sso: { enabled: true } } });
      nats.answer(0, snapshot(1, false));
      await expect(before).resolves.toMatchObject({ features: { sso: { enabled: false } } });
      expect(client.checkLocal('acme', 'sso')).toMatchObject({ allowed: true });
    } finally {
      client.close();
    }
  });

  it('does not cache a fetch that was in flight across a reconnect', async () => {
    const { nats, client } = await connect();
    try {
      const before = client.snapshot('acme');
      await settle();
      nats.reconnect();
      await settle();
      nats.answer(0, snapshot(1, false));
      await before;
      expect(client.checkLocal('acme', 'sso')).toBeUndefined();
      const after = client.snapshot('acme');
      await settle();
      expect(nats.requests).toHaveLength(2);
      nats.answer(1, snapshot(1, true));
      await after;
      expect(client.checkLocal('acme', 'sso')).toMatchObject({ allowed: true });
    } finally {
      client.close();
    }
  });

  it('asks again when an invalidation names a newer version mid-fetch, and hands everyone the newer one', async () => {
    const { nats, client } = await connect();
    try {
      const before = client.snapshot('acme');
      await settle();
      nats.announce('acme', 2);
      const after = client.snapshot('acme');
      nats.answer(0, snapshot(1, false));
      await settle();
      expect(nats.requests.map((r) => r.payload)).toEqual([
        { tenantId: 'acme' },
        { tenantId: 'acme', minVersion: 2 },
      ]);
      nats.answer(1, snapshot(2, true));
      await expect(before).resolves.toMatchObject({ version: 2 });
      await expect(after).resolves.toMatchObject({ version: 2 });
      expect(client.checkLocal('acme', 'sso')).toMatchObject({ allowed: true });
    } finally {
      client.close();
    }
  });

  it('remembers an announced version only for a tenant it holds or is fetching, until it has it', async () => {
    const { nats, client } = await connect({ refetchOnInvalidation: false });
    try {
      nats.announce('elsewhere', 9);
      const elsewhere = client.snapshot('elsewhere');
      await settle();
      expect(nats.requests[0].payload).toEqual({ tenantId: 'elsewhere' });
      nats.answer(0, { ...snapshot(9, false), tenantId: 'elsewhere' });
      await elsewhere;

      const first = client.snapshot('acme');
      await settle();
      nats.answer(1, snapshot(1, false));
      await first;
      nats.announce('acme', 2);
      expect(client.checkLocal('acme', 'sso')).toBeUndefined();
      const second = client.snapshot('acme');
      await settle();
      expect(nats.requests[2].payload).toEqual({ tenantId: 'acme', minVersion: 2 });
      nats.answer(2, snapshot(2, true));
      await second;
      client.invalidate('acme');
      const third = client.snapshot('acme');
      await settle();
      expect(nats.requests[3].payload).toEqual({ tenantId: 'acme' });
      nats.answer(3, snapshot(2, true));
      await third;
    } finally {
      client.close();
    }
  });
});

describe('EntitlementsClient cache bounds and versions', () => {
  it('keeps at most maxCachedTenants snapshots, evicting the least recently used', async () => {
    const { nats, client } = await connect({ maxCachedTenants: 2 });
    try {
      await hold(nats, client, 'a');
      await hold(nats, client, 'b');
      expect(client.checkLocal('a', 'sso')).toBeDefined();
      await hold(nats, client, 'c');
      expect(client.cachedTenants).toBe(2);
      expect(client.checkLocal('b', 'sso')).toBeUndefined();
      expect(client.checkLocal('a', 'sso')).toBeDefined();
      expect(client.checkLocal('c', 'sso')).toBeDefined();
    } finally {
      client.close();
    }
  });

  it('drops a snapshot past its staleness bound when it is accessed', async () => {
    let now = 1_000;
    const { nats, client } = await connect({ maxStalenessMs: 30_000, clock: () => now });
    try {
      await hold(nats, client, 'a');
      expect(client.cachedTenants).toBe(1);
      now += 30_000;
      expect(client.checkLocal('a', 'sso')).toBeUndefined();
      expect(client.cachedTenants).toBe(0);
    } finally {
      client.close();
    }
  });

  it('evicts a snapshot past its staleness bound before a live one used less recently', async () => {
    let now = 0;
    const { nats, client } = await connect({ maxCachedTenants: 2, maxStalenessMs: 30_000, clock: () => now });
    try {
      await hold(nats, client, 'a');
      now = 10_000;
      await hold(nats, client, 'b');
      now = 20_000;
      expect(client.checkLocal('a', 'sso')).toBeDefined(); // 'a' is now the most recently used
      now = 31_000; // 'a' is past its bound, 'b' (fetched at 10 s) is not
      await hold(nats, client, 'c');
      expect(client.cachedTenants).toBe(2);
      expect(client.checkLocal('b', 'sso')).toBeDefined();
      expect(client.checkLocal('c', 'sso')).toBeDefined();
    } finally {
      client.close();
    }
  });

  it('does not step back to an older version when a lagging replica answers a refetch', async () => {
    let now = 0;
    const { nats, client } = await connect({ maxStalenessMs: 30_000, clock: () => now });
    try {
      await hold(nats, client, 'acme', 5, true);
      now = 25_000; // past 80% of the bound: the next local check refetches in the background
      expect(client.checkLocal('acme', 'sso')).toMatchObject({ allowed: true });
      await settle();
      expect(nats.requests[1].payload).toEqual({ tenantId: 'acme', minVersion: 5 });
      nats.answer(1, snapshot(4, false)); // a replica that missed version 5's broadcast
      await settle();
      expect(client.checkLocal('acme', 'sso')).toMatchObject({ allowed: true });
      await expect(client.snapshot('acme')).resolves.toMatchObject({ version: 5 });
    } finally {
      client.close();
    }
  });

  it('keeps announced-version hints to maxCachedTenants, forgetting the oldest first', async () => {
    const { nats, client } = await connect({ maxCachedTenants: 2, refetchOnInvalidation: false });
    try {
      for (const tenantId of ['a', 'b', 'c']) {
        await hold(nats, client, tenantId, 1);
        nats.announce(tenantId, 2);
      }
      for (const tenantId of ['a', 'b', 'c']) {
        const fetching = client.snapshot(tenantId);
        await settle();
        nats.answer(nats.requests.length - 1, { ...snapshot(2, true), tenantId });
        await fetching;
      }
      expect(nats.requests.slice(3).map((r) => r.payload)).toEqual([
        { tenantId: 'a' },
        { tenantId: 'b', minVersion: 2 },
        { tenantId: 'c', minVersion: 2 },
      ]);
    } finally {
      client.close();
    }
  });

  it('refuses a maxCachedTenants that is not a positive integer', async () => {
    await expect(connect({ maxCachedTenants: 0 })).rejects.toThrow('maxCachedTenants');
  });
});
