/**
 * Entitlements benchmark (issue 7), all in one run on one machine:
 * - `entitlements.check.v1` over NATS against the built service process, beside a bare NATS echo responder
 *   in its own process (same payload, same client connection): p50/p99 sequential, throughput at 64 in flight.
 * - Nest's stock NATS ClientProxy against a Nest NATS microservice echo: it opens a subscription per request,
 *   which is why the service answers on a plain queue subscription and callers use nc.request (muxed inbox).
 * - The client library's local check beside a plain Map lookup (per-call timing, p50/p99).
 * - Propagation: a billing.subscription.changed.v1 published to JetStream until the client library's local
 *   decision changes (consumer → Postgres commit → broadcast → client refetch).
 * Run with `npm run bench` (all benches) or `npm run build && node dist/bench/run.js entitlements`.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { Client } from 'pg';
import pino from 'pino';
import { firstValueFrom } from 'rxjs';
import { connect, type NatsConnection } from 'nats';
import { BillingEvent, STREAMS, type SubscriptionChangedEvent } from '@tollgate/contracts';
import { EntitlementsClient } from '@tollgate/entitlements-client';
import { NatsBus } from '@tollgate/messaging';
import { latencies, percentile, throughput, type BenchModule, type BenchRow } from './harness';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ECHO_SUBJECT = 'bench.echo';
const NEST_SUBJECT = 'bench.nest.echo';
const CONCURRENCY = 64;
const THROUGHPUT_MS = 3000;
const SEQUENTIAL = 5000;

const encoder = new TextEncoder();

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

function spawnReady(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (line: string) => boolean,
): Promise<ChildProcess> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.split('\n').some(ready)) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        done(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      fail(new Error(`${args.join(' ')} exited with ${code}:\n${output.slice(-3000)}`)),
    );
  });
}

async function waitHealthy(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('entitlements service did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function sortedPerCall(fn: () => unknown, count: number): number[] {
  for (let i = 0; i < 100_000; i++) fn();
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    fn();
    out[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return Array.from(out.sort());
}

async function interleavedLatencies(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  count: number,
  warmup: number,
): Promise<[number[], number[]]> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const outA: number[] = [];
  const outB: number[] = [];
  for (let i = 0; i < count; i++) {
    let start = performance.now();
    await a();
    outA.push(performance.now() - start);
    start = performance.now();
    await b();
    outB.push(performance.now() - start);
  }
  return [outA.sort((x, y) => x - y), outB.sort((x, y) => x - y)];
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error('propagation timed out');
    await new Promise((r) => setImmediate(r));
  }
}

async function run(): Promise<BenchRow[]> {
  const namespace = `bench${randomBytes(4).toString('hex')}`;
  const dbName = `tollgate_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const port = await freePort();
  const children: ChildProcess[] = [];
  const rows: BenchRow[] = [];
  let nc: NatsConnection | undefined;
  let bus: NatsBus | undefined;
  let client: EntitlementsClient | undefined;
  let nest: ClientProxy | undefined;
  try {
    const service = spawn(process.execPath, [resolve(__dirname, '../apps/entitlements/src/main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl.toString(),
        NATS_URL,
        NATS_NAMESPACE: namespace,
        ENTITLEMENTS_PORT: String(port),
        MIGRATE_ON_START: 'true',
        LOG_LEVEL: 'warn',
        CATALOG_PATH: process.env.CATALOG_PATH ?? resolve(__dirname, '../../catalog/plans.json'),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(service);
    children.push(
      await spawnReady([__filename, '--echo-responder'], { NATS_NAMESPACE: namespace }, (l) => l === 'ready'),
    );
    children.push(
      await spawnReady([__filename, '--nest-echo'], { NATS_NAMESPACE: namespace }, (l) => l === 'ready'),
    );
    await waitHealthy(port);

    nc = await connect({ servers: NATS_URL });
    bus = await NatsBus.connect({
      url: NATS_URL,
      name: 'bench',
      namespace,
      logger: pino({ level: 'silent' }),
    });
    await bus.ensureStreams([STREAMS.billingEvents]);
    client = await EntitlementsClient.connect({ nc: bus.nc, namespace });

    // A paid tenant whose snapshot the service has cached: the request path every product call takes.
    let version = 0;
    const change = async (tenantId: string, plan: 'pro' | 'business'): Promise<void> => {
      version += 1;
      const event: SubscriptionChangedEvent = {
        tenantId,
        plan,
        interval: 'month',
        state: 'active',
        previousState: 'active',
        seats: 5,
        periodStart: new Date(Date.now() - 86_400_000).toISOString(),
        periodEnd: new Date(Date.now() + 29 * 86_400_000).toISOString(),
        graceUntil: null,
        cause: 'bench',
        version,
        at: new Date().toISOString(),
      };
      await bus!.publish(BillingEvent.SubscriptionChanged, event, { msgId: `bench:${tenantId}:${version}` });
    };
    await change('bench', 'pro');
    await client.check('bench', 'advanced_analytics');
    await waitFor(() => client!.checkLocal('bench', 'advanced_analytics')?.allowed === true, 10_000);

    const checkPayload = encoder.encode(JSON.stringify({ tenantId: 'bench', feature: 'advanced_analytics' }));
    const checkSubject = `${namespace}.entitlements.check.v1`;
    const echoSubject = `${namespace}.${ECHO_SUBJECT}`;
    const check = () => nc!.request(checkSubject, checkPayload, { timeout: 5000 });
    const echo = () => nc!.request(echoSubject, checkPayload, { timeout: 5000 });
    const sample = new TextDecoder().decode((await check()).data);
    if (!sample.includes('"allowed":true')) throw new Error(`unexpected check reply ${sample}`);

    nest = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [NATS_URL] } });
    await nest.connect();
    const nestPattern = `${namespace}.${NEST_SUBJECT}`;
    const nestEcho = () =>
      firstValueFrom(nest!.send(nestPattern, { tenantId: 'bench', feature: 'advanced_analytics' }));

    // Interleaved call by call, so a load swing on a shared machine hits both series alike.
    const [echoLat, checkLat] = await interleavedLatencies(echo, check, SEQUENTIAL, 2000);
    const nestLat = await latencies(nestEcho, Math.min(SEQUENTIAL, 2000), 500);
    let echoTp = 0;
    let checkTp = 0;
    for (let round = 0; round < 3; round++) {
      echoTp = Math.max(echoTp, await throughput(echo, CONCURRENCY, THROUGHPUT_MS));
      checkTp = Math.max(checkTp, await throughput(check, CONCURRENCY, THROUGHPUT_MS));
    }
    const nestTp = await throughput(nestEcho, CONCURRENCY, THROUGHPUT_MS);
    const e50 = percentile(echoLat, 50);
    const e99 = percentile(echoLat, 99);
    rows.push(
      {
        group: 'check over NATS',
        metric: 'p50',
        value: percentile(checkLat, 50) * 1000,
        unit: 'µs',
        baseline: { name: 'bare echo', value: e50 * 1000 },
      },
      {
        group: 'check over NATS',
        metric: 'p99',
        value: percentile(checkLat, 99) * 1000,
        unit: 'µs',
        baseline: { name: 'bare echo', value: e99 * 1000 },
        target: '≤ 1.5x echo',
      },
      {
        group: 'check over NATS',
        metric: `throughput (${CONCURRENCY} in flight)`,
        value: checkTp,
        unit: 'req/s',
        baseline: { name: 'bare echo', value: echoTp },
        target: '≥ 0.8x echo',
      },
      {
        group: 'Nest ClientProxy (stock)',
        metric: 'p50',
        value: percentile(nestLat, 50) * 1000,
        unit: 'µs',
        baseline: { name: 'bare echo', value: e50 * 1000 },
      },
      {
        group: 'Nest ClientProxy (stock)',
        metric: 'p99',
        value: percentile(nestLat, 99) * 1000,
        unit: 'µs',
        baseline: { name: 'bare echo', value: e99 * 1000 },
      },
      {
        group: 'Nest ClientProxy (stock)',
        metric: `throughput (${CONCURRENCY} in flight)`,
        value: nestTp,
        unit: 'req/s',
        baseline: { name: 'bare echo', value: echoTp },
      },
    );

    // The NATS runs outlast the client's staleness bound: start the local run from a freshly fetched snapshot,
    // so a million checks (a second or two) end well inside the bound.
    client.invalidate('bench');
    await client.check('bench', 'advanced_analytics');
    const map = new Map<string, { allowed: boolean }>([['bench', { allowed: true }]]);
    let sink = 0;
    const local = sortedPerCall(
      () => (sink += client!.checkLocal('bench', 'advanced_analytics')!.allowed ? 1 : 0),
      1_000_000,
    );
    const plain = sortedPerCall(() => (sink += map.get('bench')!.allowed ? 1 : 0), 1_000_000);
    if (sink === 0) throw new Error('local checks denied');
    rows.push(
      {
        group: 'client library local check',
        metric: 'p50',
        value: percentile(local, 50),
        unit: 'µs',
        baseline: { name: 'Map.get', value: percentile(plain, 50) },
      },
      {
        group: 'client library local check',
        metric: 'p99',
        value: percentile(local, 99),
        unit: 'µs',
        baseline: { name: 'Map.get', value: percentile(plain, 99) },
        target: '< 2 µs',
      },
    );

    // Propagation: event published → the client library's local decision flips.
    const tenant = 'bench-prop';
    await change(tenant, 'pro');
    await client.check(tenant, 'sso');
    await waitFor(() => client!.checkLocal(tenant, 'sso')?.allowed === false, 10_000);
    const propagation: number[] = [];
    for (let i = 0; i < 200; i++) {
      const plan = i % 2 === 0 ? 'business' : 'pro';
      const expected = plan === 'business';
      const start = performance.now();
      await change(tenant, plan);
      await waitFor(() => client!.checkLocal(tenant, 'sso')?.allowed === expected, 10_000);
      propagation.push(performance.now() - start);
    }
    propagation.sort((a, b) => a - b);
    rows.push(
      {
        group: 'propagation event → decision',
        metric: 'p50',
        value: percentile(propagation, 50),
        unit: 'ms',
      },
      {
        group: 'propagation event → decision',
        metric: 'p99',
        value: percentile(propagation, 99),
        unit: 'ms',
        target: '< 250 ms',
      },
    );
    return rows;
  } finally {
    client?.close();
    await nest?.close();
    await bus?.close(500);
    await nc?.close();
    for (const child of children) await stop(child);
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

export const bench: BenchModule = { name: 'entitlements', run };

// ---- child processes ------------------------------------------------------------------------------------

async function echoResponder(): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  nc.subscribe(`${process.env.NATS_NAMESPACE}.${ECHO_SUBJECT}`, {
    queue: 'echo',
    callback: (_error, msg) => msg.respond(msg.data),
  });
  await nc.flush();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void nc.close().then(() => process.exit(0)));
}

@Controller()
class NestEchoController {
  @MessagePattern(`${process.env.NATS_NAMESPACE}.${NEST_SUBJECT}`)
  echo(@Payload() data: unknown): unknown {
    return data;
  }
}

@Module({ controllers: [NestEchoController] })
class NestEchoModule {}

async function nestEcho(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NestEchoModule, {
    transport: Transport.NATS,
    options: { servers: [NATS_URL], queue: 'nest-echo' },
    logger: false,
  });
  await app.listen();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

if (require.main === module) {
  const mode = process.argv[2];
  const task =
    mode === '--echo-responder'
      ? echoResponder()
      : mode === '--nest-echo'
        ? nestEcho()
        : run().then(async (rows) => {
            const { formatTable } = await import('./harness');
            process.stdout.write(`${formatTable(rows)}\n`);
            process.exit(0);
          });
  task.catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
