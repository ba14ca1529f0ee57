/**
 * Rate limits with two gateway replicas on one database: one budget in total, not one per replica; a new
 * window once the old one has passed (time is moved in SQL, not waited for); and fail-open when Postgres is
 * out of reach (the gateway talks to it through a TCP proxy the test can cut).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import type request from 'supertest';
import { BillingSubject, TenantScoped } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { eventually, signToken } from '@tollgate/testing';
import { RateLimitCounterRepository } from '../src/repositories/rate-limit-counter.repository';
import { billingStateOf, startGatewayHarness, type GatewayHarness } from './gateway-harness';

const LIMITS = { RATE_LIMIT_TENANT_PER_MINUTE: '5', RATE_LIMIT_BILLING_WRITES_PER_MINUTE: '2' };

const serveState = (bus: NatsBus) =>
  bus.serve(BillingSubject.GetState, TenantScoped, async ({ tenantId }) => billingStateOf(tenantId), {
    queue: 'billing',
  });

const ownerOf = (tid: string) => signToken({ sub: `u-${tid}`, role: 'owner', tid });

const getBilling = (gateway: GatewayHarness, token: string): request.Test =>
  gateway.http.get('/v1/billing').set('Authorization', `Bearer ${token}`);

/** Every counter as if a minute had gone by: windows and blocks that were running are over. */
async function letAMinutePass(sql: Client): Promise<void> {
  await sql.query(
    `UPDATE gateway.rate_limit_counters
        SET expires_at = expires_at - interval '1 minute', blocked_until = blocked_until - interval '1 minute'`,
  );
}

describe('rate limits shared by two gateway replicas', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  let sql: Client;

  beforeAll(async () => {
    a = await startGatewayHarness({ env: LIMITS, fakes: serveState });
    b = await startGatewayHarness({ env: LIMITS, replicaOf: a });
    sql = new Client({ connectionString: a.db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await b?.close();
    await a?.close();
  });

  it('answers 429 rate_limited with Retry-After on the request that exceeds the limit in total, whichever replica gets it', async () => {
    const token = await ownerOf('acme');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await getBilling(i % 2 === 0 ? a : b, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

    for (const replica of [a, b]) {
      const limited = await getBilling(replica, token);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.error.details.retryAfterSeconds).toBe(retryAfter);
    }
    expect((await getBilling(b, await ownerOf('globex'))).status).toBe(200);
  });

  it('lets exactly the limit through when requests arrive at once on both replicas', async () => {
    const token = await ownerOf('burst');
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => getBilling(i % 2 === 0 ? a : b, token)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
  });

  it("counts a tenant's requests on every route against one budget, not one per route", async () => {
    const token = await ownerOf('hooli');
    for (let i = 0; i < 3; i++) expect((await getBilling(a, token)).status).toBe(200);
    for (const replica of [b, a])
      expect(
        (await replica.http.post('/v1/billing/resume').set('Authorization', `Bearer ${token}`)).status,
      ).not.toBe(429);
    expect((await getBilling(b, token)).status).toBe(429);
  });

  it('holds billing writes to their stricter budget across replicas', async () => {
    const token = await ownerOf('initech');
    const statuses: number[] = [];
    for (const replica of [a, b, a])
      statuses.push(
        (await replica.http.post('/v1/billing/resume').set('Authorization', `Bearer ${token}`)).status,
      );
    expect(statuses.slice(0, 2).every((s) => s !== 429)).toBe(true);
    expect(statuses[2]).toBe(429);
  });

  it('gives a full budget again once the window and the block are over', async () => {
    const token = await ownerOf('umbrella');
    for (let i = 0; i < 6; i++) await getBilling(i % 2 === 0 ? a : b, token);
    expect((await getBilling(a, token)).status).toBe(429);

    await letAMinutePass(sql);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await getBilling(i % 2 === 0 ? b : a, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('sweeps counters whose window has passed and keeps those still counting or blocked', async () => {
    const counters = new RateLimitCounterRepository(a.db.url, { timeoutMs: 5_000, poolSize: 1 });
    try {
      await counters.increment('sweep-old', 60_000, 5, 60_000);
      await counters.increment('sweep-blocked', 60_000, 1, 120_000);
      await counters.increment('sweep-blocked', 60_000, 1, 120_000);
      await letAMinutePass(sql);
      await counters.increment('sweep-live', 60_000, 5, 60_000);

      expect(await counters.deleteExpired()).toBeGreaterThanOrEqual(1);
      const keys = (
        await sql.query<{ key: string }>(
          `SELECT key FROM gateway.rate_limit_counters WHERE key LIKE 'sweep-%'`,
        )
      ).rows.map((r) => r.key);
      expect(keys.sort()).toEqual(['sweep-blocked', 'sweep-live']);
    } finally {
      await counters.close();
    }
  });
});

/** A TCP hop between the gateway and Postgres that the test can cut and restore. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  async open(port = 0): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const [socket, other] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          other.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('rate limits when Postgres is out of reach', () => {
  let direct: GatewayHarness;
  let gateway: GatewayHarness;
  let proxy: CuttableProxy;
  let proxyPort: number;
  let sql: Client;

  beforeAll(async () => {
    direct = await startGatewayHarness({ env: LIMITS, fakes: serveState });
    // A second gateway on the same database and NATS namespace, reaching Postgres only through the proxy.
    const target = new URL(direct.db.url);
    proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxyPort = await proxy.open();
    const viaProxy = new URL(direct.db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxyPort);
    gateway = await startGatewayHarness({
      env: { ...LIMITS, DATABASE_URL: viaProxy.toString() },
      replicaOf: direct,
    });
    sql = new Client({ connectionString: direct.db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await proxy?.cut();
    await gateway?.close();
    await direct?.close();
  });

  const counterRows = async () =>
    Number(
      (await sql.query<{ n: string }>(`SELECT count(*) AS n FROM gateway.rate_limit_counters`)).rows[0].n,
    );

  it('keeps serving, limiting in the replica memory, and counts in Postgres again once it is back', async () => {
    expect((await getBilling(gateway, await ownerOf('before'))).status).toBe(200);
    expect(await counterRows()).toBeGreaterThan(0);

    await proxy.cut();
    const token = await ownerOf('during');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await getBilling(gateway, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const rowsDuringOutage = await counterRows();

    await proxy.open(proxyPort);
    let probe = 0;
    await eventually(
      async () => {
        const res = await getBilling(gateway, await ownerOf(`after-${probe++}`));
        return res.status === 200 && (await counterRows()) > rowsDuringOutage;
      },
      { what: 'hits counted in Postgres again', intervalMs: 200 },
    );
  });
});
