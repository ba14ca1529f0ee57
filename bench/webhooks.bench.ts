/**
 * Webhook pipeline benchmark (issue 4), all in one run on one machine, against the built processes:
 * - Sustained ingest: signed Stripe events POSTed to the webhooks service (verify the signature, record the
 *   event in Postgres with synchronous commit, shared by concurrent deliveries, publish it to JetStream and
 *   wait for its ack, answer 2xx) by 32 keep-alive connections for a few seconds, beside a bare node:http
 *   handler in its own process that only computes and compares the HMAC. Both are driven by the same load
 *   generator in this process (requests signed and encoded before the run, sent by bench/load-client.ts over
 *   keep-alive connections), so the ratio is fair. Measured with one replica, then with two (one per core)
 *   sharing the database and the stream, the load generator spreading its connections over them as a
 *   Kubernetes Service spreads connections over pods.
 * - Acknowledgement latency p50/p99/p99.9 at a fixed offered rate of 1,000 events/s for 60 s after 3 s at that
 *   rate unmeasured (open loop: each request is timed from when the schedule says it is due, so a slow answer
 *   cannot hide the ones queued behind it), beside the same bare HMAC handler at the same rate. The p99 is also
 *   reported for each 10 s of those 60: a just-started service beside the same service warm, and the spans in
 *   which the kernel writes back what the new database and stream dirtied (about every 30 s, see
 *   docs/webhooks.md) beside those in which it does not. The steady state is measured before the sustained burst; the same rate for 10 s right after the
 *   burst is reported too, since the disk is then still writing back what the burst left dirty.
 * - Where the tail of that latency is spent: the share of answers over 10 ms as the load generator times them,
 *   beside the same share timed inside the service (its own `webhooks_ack_seconds` histogram, from the body
 *   read to the answer). A tail that only the load generator sees is spent outside the handler: sockets, the
 *   wait for a CPU and for the event loop. Inside it, the shares of inbox records and of JetStream publications
 *   over 10 ms (`webhooks_record_seconds`, `webhooks_publish_seconds`) say which of the two waits it was.
 * - What the machine did meanwhile besides our code (bench/disturbances.ts, Linux only): the longest machine
 *   stall an idle probe process saw, the most the kernel wrote back to disk within 100 ms, and the share of the
 *   answers over 10 ms that were in flight during a stall or a writeback burst.
 * - What limits them (bench/cpu-accounting.ts, Linux only), for the steady 1,000 ev/s window and for the
 *   sustained burst, one replica: CPU per event of the webhooks service, Postgres, the NATS server and the load
 *   generator, beside the bare handler's same phase, and how busy the machine was and how much CPU the
 *   hypervisor stole meanwhile.
 * - Billing's projection capacity: a backlog of 3,000 `invoice.finalized` events sent as fast as webhooks takes
 *   them, timed from the first send to the last committed effect; at the end again with two billing replicas. The lag
 *   below means little unless the offered rate is well under this: at a rate near capacity a queue forms and drains slowly.
 * - End-to-end lag p50/p99 at a fixed offered rate (after 2 s at it, unmeasured): from sending an
 *   `invoice.finalized` webhook to billing's committed effect, observed as the `billing.invoice.changed.v1`
 *   domain event the effect's transaction wrote to the outbox (so it includes the relay that publishes it).
 * - First, before any load, properties of the machine: a loopback round trip between two processes on two
 *   CPUs, beside the same two on one CPU (bench/cross-cpu.ts); each delivery crosses processes several times.
 *   Then the latency of a durable 8 KB write on the database's disk (bench/disk-flush.ts); each delivery's
 *   inbox commit waits for one. Together they set how low the tail can go on the machine the run had.
 * - The database server is brought to the steady state a sustained load leaves it in: enough WAL segments
 *   ready that no commit waits for a new one to be zero-filled (bench/wal-segments.ts); each steady window
 *   reports how many it still had to create, and what checkpoints wrote during it.
 * The ingest phases run before billing starts (its stream is purged in between), so they measure the webhooks
 * service alone. Run with `npm run bench` or `npm run build && node dist/bench/run.js webhooks`.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { accessSync, constants } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import pino from 'pino';
import type Stripe from 'stripe';
import { BillingSubject, STREAMS } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { createStripeClient } from '@tollgate/stripe-client';
import { startEmulator } from '../apps/stripe-emulator/src/emulator';
import {
  SERVICE_HISTOGRAMS,
  addCounts,
  histogramCounts,
  shareOver10ms,
  type AckCounts,
} from './ack-histogram';
import { crossCpuRoundTrip, ROUND_TRIPS } from './cross-cpu';
import { cpuWindow, readCpu, type CpuReading, type CpuWindow, type ProcessGroups } from './cpu-accounting';
import {
  DisturbanceProbe,
  disturbances,
  inFlightDuring,
  longestStall,
  monotonicMs,
  mostWrittenWithin,
  STALL_MS,
  type TimedAnswer,
} from './disturbances';
import { probeFlushes, shareHeldPast10ms, FLUSH_PROBE_MS } from './disk-flush';
import { percentile, type BenchModule, type BenchRow } from './harness';
import { encodePost, LoadClient, type EncodedRequest } from './load-client';
import { latenciesBySpan } from './spans';
import {
  checkpointActivity,
  prepareWalSegments,
  segmentsCreated,
  walPosition,
  type WalPosition,
} from './wal-segments';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const STRIPE_KEY = 'sk_test_bench_webhooks';
const CONCURRENCY = 32;
const SUSTAINED_MS = 5000;
const FIXED_RATE = 1000;
/**
 * The measured window at the fixed rate, and the spans it is also reported by: the tail of a service that
 * has just started differs from the same service half a minute later (its JIT, its pools, the first writeback
 * of a new database), and the bench shows both beside the whole window rather than pick one.
 */
const FIXED_MS = 60_000;
const FIXED_SPAN_MS = 10_000;
/** At the fixed rate before the measured window, unmeasured: the ramp from idle. */
const FIXED_WARMUP_MS = 3000;
/** Right after the sustained burst. */
const AFTER_BURST_MS = 10_000;
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 200);
const LAG_MS = 5000;
const LAG_WARMUP_MS = 2000;
const CAPACITY_EVENTS = 3000;
const TENANTS = 16;

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

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function sign(body: Buffer, timestamp: number): string {
  const digest = createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

interface Signed {
  id: string;
  /** The whole POST, headers and signed body, encoded once. */
  request: EncodedRequest;
}

/** Pre-built, pre-signed deliveries, so the load generator spends its CPU on sending only. */
function deliveries(template: Stripe.Event, count: number, tag: string, customers: string[]): Signed[] {
  const now = Math.floor(Date.now() / 1000);
  const out: Signed[] = [];
  for (let i = 0; i < count; i++) {
    const id = `evt_bench_${tag}_${i}`;
    const object = {
      ...(template.data.object as unknown as Record<string, unknown>),
      id: `in_bench_${tag}_${i}`,
      customer: customers[i % customers.length],
    };
    const body = Buffer.from(JSON.stringify({ ...template, id, created: now, data: { object } }, null, 2));
    const headers = { 'content-type': 'application/json', 'stripe-signature': sign(body, now) };
    out.push({ id, request: encodePost('/webhooks/stripe', headers, body) });
  }
  return out;
}

/** One delivery over one of `clients` (one per port); resolves on 200, fails on any other answer. */
async function post(clients: LoadClient[], index: number, delivery: Signed): Promise<void> {
  const status = await clients[index % clients.length].send(delivery.request);
  if (status !== 200) throw new Error(`HTTP ${status}`);
}

function loadClients(ports: number[], maxSockets: number): LoadClient[] {
  return ports.map((port) => new LoadClient(port, maxSockets));
}

/** A load phase: how many events it counted, and where the CPU went meanwhile (when accounted). */
interface Measured {
  events: number;
  cpu?: CpuWindow;
}

/**
 * Closed loop: `CONCURRENCY` requests in flight for `durationMs`; answers events/s acknowledged. With
 * `unique` every delivery is a new event (the pool must not run out); otherwise the pool is reused.
 */
async function sustained(
  ports: number[],
  pool: Signed[],
  durationMs: number,
  options: { unique?: boolean; cpu?: ProcessGroups } = {},
): Promise<Measured & { rate: number }> {
  const { unique = true } = options;
  const clients = loadClients(ports, CONCURRENCY);
  let next = 0;
  let done = 0;
  const deadline = performance.now() + durationMs;
  const cpuBefore = options.cpu && readCpu(options.cpu);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, connection) => {
      // Connections spread evenly over the replicas, as a Kubernetes Service spreads them over pods.
      while (performance.now() < deadline && (!unique || next < pool.length)) {
        await post(clients, connection, pool[next++ % pool.length]);
        done++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpuAfter = options.cpu && readCpu(options.cpu);
  for (const client of clients) client.destroy();
  if (unique && next >= pool.length) throw new Error('the pre-built pool ran out; raise its size');
  return {
    rate: done / (elapsed / 1000),
    events: done,
    cpu: cpuBefore && cpuAfter && cpuWindow(cpuBefore, cpuAfter),
  };
}

/** Sends every delivery of `pool` once, `CONCURRENCY` at a time; resolves when all are acknowledged. */
async function sendAll(ports: number[], pool: Signed[]): Promise<void> {
  const clients = loadClients(ports, CONCURRENCY);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, connection) => {
      while (next < pool.length) await post(clients, connection, pool[next++]);
    }),
  );
  for (const client of clients) client.destroy();
}

/**
 * Open loop at `rate`/s for `warmupMs + durationMs`: request i is due at start + i/rate and is timed from then;
 * only the requests due after the warm-up are reported, so the figure is the steady state at that rate, not
 * the ramp from idle. `onSent` sees each delivery at the moment it is sent.
 */
async function fixedRate(
  ports: number[],
  pool: Signed[],
  rate: number,
  durationMs: number,
  options: {
    warmupMs?: number;
    onSent?: (delivery: Signed, at: number) => void;
    /** Accounts the measured part's CPU to these process groups (see cpu-accounting.ts). */
    cpu?: ProcessGroups;
    /** Called once, when the first measured request is due. */
    onWindowStart?: () => void;
  } = {},
): Promise<
  Measured & { sorted: number[]; achieved: number; answers: TimedAnswer[]; window: [number, number] }
> {
  const { warmupMs = 0, onSent = () => undefined } = options;
  // Answers are also kept on the machine-wide monotonic clock, to line them up with the disturbance probe's.
  const toMonotonic = monotonicMs() - performance.now();
  const clients = loadClients(ports, 256);
  const total = Math.floor((rate * (warmupMs + durationMs)) / 1000);
  if (pool.length < total) throw new Error(`the pool holds ${pool.length} deliveries; ${total} are due`);
  const firstMeasured = Math.floor((rate * warmupMs) / 1000);
  const latencies: number[] = [];
  const answers: TimedAnswer[] = [];
  const failures: unknown[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  let cpuBefore: CpuReading | undefined;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      if (sent === firstMeasured) {
        if (options.cpu) cpuBefore = readCpu(options.cpu);
        options.onWindowStart?.();
      }
      const delivery = pool[sent];
      const dueAt = start + (sent * 1000) / rate;
      const measured = sent >= firstMeasured;
      onSent(delivery, performance.now());
      inFlight.push(
        post(clients, sent, delivery).then(
          () => {
            if (!measured) return;
            const ms = performance.now() - dueAt;
            latencies.push(ms);
            answers.push({ dueAt: dueAt + toMonotonic, ms });
          },
          // Handled here, not left for the Promise.all below: an unhandled rejection would end the process
          // before its `finally` stops the services.
          (error: unknown) => void failures.push(error),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const cpuAfter = options.cpu && readCpu(options.cpu);
  const elapsed = performance.now() - start;
  for (const client of clients) client.destroy();
  if (failures.length > 0)
    throw new Error(`${failures.length} of ${total} deliveries failed, first: ${String(failures[0])}`);
  const windowStart = start + (firstMeasured * 1000) / rate + toMonotonic;
  return {
    sorted: latencies.sort((a, b) => a - b),
    answers,
    window: [windowStart, monotonicMs()],
    achieved: total / (elapsed / 1000),
    events: total - firstMeasured,
    cpu: cpuBefore && cpuAfter && cpuWindow(cpuBefore, cpuAfter),
  };
}

/** CPU accounting of a fixed-rate window: the service(s) under test, and what they share the machine with. */
function cpuGroups(services: ChildProcess[]): ProcessGroups {
  return {
    service: (p) => services.some((child) => child.pid === p.pid),
    postgres: (p) => p.comm === 'postgres',
    nats: (p) => p.comm === 'nats-server',
    loadGenerator: (p) => p.pid === process.pid,
  };
}

/**
 * Reads the service's answer, record and publication histograms from each replica's /metrics and sums each over
 * replicas (see ack-histogram.ts).
 */
async function serverHistograms(ports: number[]): Promise<Map<string, AckCounts>> {
  const sums = new Map(SERVICE_HISTOGRAMS.map((name) => [name, { all: 0, within10ms: 0 }]));
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const name of SERVICE_HISTOGRAMS)
      sums.set(name, addCounts(sums.get(name)!, histogramCounts(text, name)));
  }
  return sums;
}

/** Each histogram's share of observations over 10 ms between two readings. */
function sharesOver10ms(before: Map<string, AckCounts>, after: Map<string, AckCounts>): Map<string, number> {
  return new Map(
    SERVICE_HISTOGRAMS.map((name) => [name, shareOver10ms(before.get(name)!, after.get(name)!)]),
  );
}

/**
 * What limits the acknowledgement latency: CPU per event of each party in the steady window, beside the bare
 * handler's window, and how much of the machine was busy or stolen by the hypervisor meanwhile.
 */
function cpuRows(window: string, ingest: Measured, bare: Measured): BenchRow[] {
  if (!ingest.cpu || !bare.cpu) return [];
  const group = 'webhooks ingest';
  const perEvent = (m: Measured, name: string) => (m.cpu!.groups[name] * 1000 * 1000) / m.events;
  const parties: [string, string][] = [
    ['service', 'webhooks service'],
    ['postgres', 'Postgres (every process)'],
    ['nats', 'NATS server'],
    ['loadGenerator', 'load generator (this process)'],
  ];
  return [
    ...parties.map(([name, title]) => ({
      group,
      metric: `CPU per event ${window}: ${title}`,
      value: perEvent(ingest, name),
      unit: 'µs',
      baseline: { name: `bare HMAC handler's window`, value: perEvent(bare, name) },
    })),
    {
      group,
      metric: `machine CPU busy ${window} (${availableParallelism()} cores = 100 %)`,
      value: ingest.cpu.busy * 100,
      unit: '%',
      baseline: { name: `bare HMAC handler's window`, value: bare.cpu.busy * 100 },
    },
    {
      group,
      metric: `CPU stolen by the hypervisor ${window}`,
      value: ingest.cpu.steal * 100,
      unit: '%',
      baseline: { name: `bare HMAC handler's window`, value: bare.cpu.steal * 100 },
    },
  ];
}

type FixedRateWindow = Awaited<ReturnType<typeof fixedRate>>;

/**
 * The fixed-rate window's p99 span by span (seconds counted from the first request at the rate, warm-up
 * included), beside the bare handler's same span.
 */
function spanP99Rows(label: string, ingest: FixedRateWindow, bare: FixedRateWindow): BenchRow[] {
  const spans = FIXED_MS / FIXED_SPAN_MS;
  const [ingestSpans, bareSpans] = [ingest, bare].map((w) =>
    latenciesBySpan(w.answers, w.window[0], FIXED_SPAN_MS, spans),
  );
  return ingestSpans.map((sorted, i) => {
    const from = (FIXED_WARMUP_MS + i * FIXED_SPAN_MS) / 1000;
    const to = from + FIXED_SPAN_MS / 1000;
    return {
      group: 'webhooks ingest',
      metric: `ack p99 at ${FIXED_RATE} ev/s, seconds ${from}-${to} at that rate, ${label}`,
      value: percentile(sorted, 99),
      unit: 'ms',
      baseline: { name: 'bare HMAC handler, same seconds', value: percentile(bareSpans[i], 99) },
    };
  });
}

/**
 * What the machine did during the steady window besides our code (see disturbances.ts), beside the bare
 * handler's window: the longest machine stall, the largest writeback burst, and how many of the answers over
 * 10 ms were in flight during either.
 */
async function disturbanceRows(
  label: string,
  probe: DisturbanceProbe,
  ingest: FixedRateWindow,
  bare: FixedRateWindow,
): Promise<BenchRow[]> {
  const group = 'webhooks ingest';
  const [ingestSamples, bareSamples] = [
    await probe.window(...ingest.window),
    await probe.window(...bare.window),
  ];
  const found = disturbances(ingestSamples);
  const slow = ingest.answers.filter((a) => a.ms > 10);
  const bursts = found.filter((d) => d.kind === 'writeback').length;
  const stalls = found.filter((d) => d.kind === 'stall').length;
  const megabytes = (bytes: number) => bytes / 1024 / 1024;
  return [
    {
      group,
      metric: `longest machine stall in the ${FIXED_RATE} ev/s window, ${label} (an idle probe's 5 ms timer this late; stalls >= ${STALL_MS} ms: ${stalls})`,
      value: longestStall(ingestSamples),
      unit: 'ms',
      baseline: { name: `bare HMAC handler's window`, value: longestStall(bareSamples) },
    },
    {
      group,
      metric: `most written to disk within 100 ms in the ${FIXED_RATE} ev/s window, ${label} (writeback bursts: ${bursts})`,
      value: megabytes(mostWrittenWithin(ingestSamples, 100)),
      unit: 'MB',
      baseline: { name: `bare HMAC handler's window`, value: megabytes(mostWrittenWithin(bareSamples, 100)) },
    },
    {
      group,
      metric: `answers over 10 ms that were in flight during a stall or a writeback burst, ${label} (share of those over 10 ms)`,
      value: slow.length === 0 ? 0 : (100 * inFlightDuring(slow, found)) / slow.length,
      unit: '%',
      baseline: {
        name: 'answers over 10 ms, share of all',
        value: (100 * slow.length) / ingest.answers.length,
      },
    },
  ];
}

/** The baseline: a bare HTTP handler that reads the body, computes the HMAC, compares it, answers 200. */
function runHmacBaseline(): void {
  const secret = process.env.BENCH_SECRET ?? '';
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const header = String(req.headers['stripe-signature'] ?? '');
      const t = /t=(\d+)/.exec(header)?.[1] ?? '';
      const v1 = Buffer.from(/v1=([0-9a-f]{64})/.exec(header)?.[1] ?? '', 'hex');
      const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
      const ok = v1.length === expected.length && timingSafeEqual(v1, expected);
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      res.end(ok ? '{"received":true}' : '{"error":{"code":"signature_invalid"}}');
    });
  });
  server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
}

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tollgate_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  // FILE_COPY copies the template's files between two checkpoints. The default (WAL_LOG, Postgres 15) copies it
  // through shared buffers and the WAL (924 full pages on session 10's machine), and leaves those pages, in
  // ~300 files to fsync, to the next checkpoint, in the middle of a measured window: a production database was
  // created long before its load.
  await admin.query(`CREATE DATABASE "${name}" STRATEGY = FILE_COPY`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

async function run(): Promise<BenchRow[]> {
  const namespace = `bench${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const rows: BenchRow[] = [];
  // Measured first, on a machine doing nothing else: what one crossing between processes costs here.
  const roundTrip = await crossCpuRoundTrip();
  if (roundTrip)
    rows.push({
      group: 'machine',
      metric: `loopback round trip between two processes on two CPUs (mean of ${ROUND_TRIPS}; see bench/cross-cpu.ts)`,
      value: roundTrip.crossCpu,
      unit: 'µs',
      baseline: { name: 'the same two processes on one CPU', value: roundTrip.sameCpu },
    });
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  rows.push(...(await diskFlushRows(admin)));
  const db = await createDatabase();
  // The ingest phases measure the pipeline against a server in the steady state a sustained load leaves it in.
  const wal = await prepareWalSegments(admin).catch((error: unknown) => {
    console.warn(
      `could not prepare WAL segments (${String(error)}); the windows will say how many were created`,
    );
    return undefined;
  });
  if (wal)
    rows.push({
      group: 'machine',
      metric:
        'Postgres WAL segments ready ahead of the writer before the ingest phases (see bench/wal-segments.ts)',
      value: wal.after,
      unit: 'segments',
      baseline: { name: 'before the bench prepared them', value: wal.before },
    });
  const probe = await DisturbanceProbe.start();
  const emulator = await startEmulator({ port: 0 });
  let bus: NatsBus | undefined;
  const serviceEnv = {
    DATABASE_URL: db.url,
    NATS_URL,
    NATS_NAMESPACE: namespace,
    MIGRATE_ON_START: 'true',
    LOG_LEVEL: 'warn',
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: emulator.url,
    STRIPE_WEBHOOK_SECRETS: SECRET,
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    CATALOG_PATH: process.env.CATALOG_PATH ?? resolve(__dirname, '../../catalog/plans.json'),
  };
  const spawnService = (app: string, env: Record<string, string>) => {
    // BENCH_PROFILE_DIR: write a V8 CPU profile of each service there (open it in Chrome's DevTools).
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const child = spawn(process.execPath, [...profile, resolve(__dirname, `../apps/${app}/src/main.js`)], {
      env: { ...process.env, ...serviceEnv, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };
  try {
    const webhooksPort = await freePort();
    const webhooks = spawnService('webhooks', { WEBHOOKS_PORT: String(webhooksPort) });
    const baselinePort = await freePort();
    const baseline = spawn(process.execPath, [__filename, '--hmac-baseline'], {
      env: { ...process.env, BENCH_SECRET: SECRET, BENCH_PORT: String(baselinePort) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(baseline);
    await new Promise<void>((done) => baseline.stdout.once('data', () => done()));
    await waitHealthy(`http://127.0.0.1:${webhooksPort}/health/ready`, webhooks);

    // A real invoice.finalized event from the emulator is the template of every delivery.
    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: emulator.url });
    const probeCustomer = await stripe.customers.create({ email: 'probe@bench.example' });
    const draft = await stripe.invoices.create({ customer: probeCustomer.id });
    await stripe.invoices.finalizeInvoice(draft.id);
    const template = (await stripe.events.list({ type: 'invoice.finalized', limit: 1 })).data[0];
    if (!template) throw new Error('the emulator emitted no invoice.finalized');

    // Ingest, each figure beside the bare HMAC handler driven the same way; first with one replica, then with two
    // (one per core) sharing the database and the stream, as two pods would:
    // 1. latency at a fixed rate in steady state (FIXED_WARMUP_MS at the rate first, unmeasured);
    // 2. sustained throughput (a burst several times that rate);
    // 3. latency at the fixed rate again, right after the burst, while the disk still writes back what the
    //    burst left dirty (reported for what it is, not against the target).
    const baselineName = 'bare HMAC handler';
    const warm = deliveries(template, 2000, 'warm', ['cus_none']);
    await sustained([baselinePort], warm, 1000, { unique: false });
    const hmacSustained = await sustained([baselinePort], warm, SUSTAINED_MS, {
      unique: false,
      cpu: cpuGroups([baseline]),
    });
    const hmacRate = hmacSustained.rate;
    const fixedCount = (FIXED_RATE * (FIXED_WARMUP_MS + FIXED_MS)) / 1000;
    const hmacFixed = await fixedRate(
      [baselinePort],
      deliveries(template, fixedCount, 'fixed', ['cus_none']),
      FIXED_RATE,
      FIXED_MS,
      { warmupMs: FIXED_WARMUP_MS, cpu: cpuGroups([baseline]) },
    );
    const measureIngest = async (ports: number[], services: ChildProcess[], tag: string) => {
      const label = ports.length === 1 ? '1 replica' : `${ports.length} replicas`;
      // The services' own histogram, read when the measured window starts and once it is over.
      let histogramsAtStart: Promise<Map<string, AckCounts>> | undefined;
      let walAtStart: Promise<WalPosition | undefined> | undefined;
      const steady = await fixedRate(
        ports,
        deliveries(template, fixedCount, `steady${tag}`, ['cus_none']),
        FIXED_RATE,
        FIXED_MS,
        {
          warmupMs: FIXED_WARMUP_MS,
          cpu: cpuGroups(services),
          onWindowStart: () => {
            histogramsAtStart = serverHistograms(ports);
            walAtStart = walPosition(admin).catch(() => undefined);
          },
        },
      );
      const serverShares = sharesOver10ms(await histogramsAtStart!, await serverHistograms(ports));
      const walStart = await walAtStart;
      const walEnd = walStart && (await walPosition(admin).catch(() => undefined));
      const clientShare = (100 * steady.sorted.filter((ms) => ms > 10).length) / steady.sorted.length;
      await sustained(ports, deliveries(template, 8000, `warm${tag}`, ['cus_none']), 1000);
      const burst = await sustained(
        ports,
        deliveries(template, 60_000, `sustained${tag}`, ['cus_none']),
        SUSTAINED_MS,
        { cpu: cpuGroups(services) },
      );
      const rate = burst.rate;
      const afterBurst = await fixedRate(
        ports,
        deliveries(template, (FIXED_RATE * AFTER_BURST_MS) / 1000, `after${tag}`, ['cus_none']),
        FIXED_RATE,
        AFTER_BURST_MS,
      );
      const fixedSeconds = FIXED_MS / 1000;
      const spanRows = spanP99Rows(label, steady, hmacFixed);
      rows.push(
        {
          group: 'webhooks ingest',
          metric: `sustained events/s, ${label} (${CONCURRENCY} in flight, verified+recorded+published+acked)`,
          value: rate,
          unit: 'ev/s',
          baseline: { name: baselineName, value: hmacRate },
          target: '>= 3000 ev/s',
        },
        {
          group: 'webhooks ingest',
          metric: `ack p50 at ${FIXED_RATE} ev/s offered for ${fixedSeconds} s, ${label} (achieved ${steady.achieved.toFixed(0)})`,
          value: percentile(steady.sorted, 50),
          unit: 'ms',
          baseline: { name: baselineName, value: percentile(hmacFixed.sorted, 50) },
        },
        {
          group: 'webhooks ingest',
          metric: `ack p99 at ${FIXED_RATE} ev/s offered for ${fixedSeconds} s, ${label}`,
          value: percentile(steady.sorted, 99),
          unit: 'ms',
          baseline: { name: baselineName, value: percentile(hmacFixed.sorted, 99) },
          target: '< 10 ms',
        },
        {
          group: 'webhooks ingest',
          metric: `ack p99.9 at ${FIXED_RATE} ev/s offered for ${fixedSeconds} s, ${label}`,
          value: percentile(steady.sorted, 99.9),
          unit: 'ms',
          baseline: { name: baselineName, value: percentile(hmacFixed.sorted, 99.9) },
        },
        {
          group: 'webhooks ingest',
          metric: `answers over 10 ms at ${FIXED_RATE} ev/s, timed inside the service (body read -> answer), ${label}`,
          value: serverShares.get('webhooks_ack_seconds')!,
          unit: '%',
          baseline: { name: 'timed by the load generator', value: clientShare },
        },
        ...(
          [
            ['webhooks_record_seconds', 'inbox records over 10 ms', 'queue for the group commit + commit'],
            ['webhooks_publish_seconds', 'JetStream publications over 10 ms', "publish -> broker's ack"],
          ] as const
        ).map(([histogram, what, span]) => ({
          group: 'webhooks ingest',
          metric: `${what} at ${FIXED_RATE} ev/s (${span}), ${label}`,
          value: serverShares.get(histogram)!,
          unit: '%',
          baseline: {
            name: 'answers over 10 ms inside the service',
            value: serverShares.get('webhooks_ack_seconds')!,
          },
        })),
        {
          group: 'webhooks ingest',
          metric: `ack p99 at ${FIXED_RATE} ev/s for ${AFTER_BURST_MS / 1000} s right after the sustained burst, ${label}`,
          value: percentile(afterBurst.sorted, 99),
          unit: 'ms',
          baseline: { name: baselineName, value: percentile(hmacFixed.sorted, 99) },
        },
        ...spanRows,
      );
      if (walStart && walEnd) {
        const checkpoints = checkpointActivity(walStart, walEnd);
        rows.push(
          {
            group: 'webhooks ingest',
            metric: `Postgres WAL segments created during the ${FIXED_RATE} ev/s window, ${label} (16 MB zero-filled and flushed while every commit waits; at most)`,
            value: segmentsCreated(walStart, walEnd),
            unit: 'segments',
            baseline: { name: 'ready at its start', value: walStart.ready },
          },
          {
            group: 'webhooks ingest',
            metric: `written by Postgres checkpoints during the ${FIXED_RATE} ev/s window, ${label} (checkpoints started in it: ${checkpoints.started})`,
            value: checkpoints.writtenBytes / 1e6,
            unit: 'MB',
            baseline: { name: 'WAL written in the window', value: checkpoints.walBytes / 1e6 },
          },
        );
      }
      if (probe) rows.push(...(await disturbanceRows(label, probe, steady, hmacFixed)));
      if (ports.length === 1)
        rows.push(
          ...cpuRows(`in the ${FIXED_RATE} ev/s window, ${label}`, steady, hmacFixed),
          ...cpuRows(`at the sustained rate, ${label}`, burst, hmacSustained),
        );
    };
    await measureIngest([webhooksPort], [webhooks], '1');
    const secondPort = await freePort();
    const second = spawnService('webhooks', { WEBHOOKS_PORT: String(secondPort) });
    await waitHealthy(`http://127.0.0.1:${secondPort}/health/ready`, second);
    await measureIngest([webhooksPort, secondPort], [webhooks, second], '2');
    await stop(second);

    // End to end: billing projects invoice.finalized events of real tenants; its outbox announces each effect.
    bus = await NatsBus.connect({
      url: NATS_URL,
      name: 'bench',
      namespace,
      logger: pino({ level: 'silent' }),
    });
    await bus.jsm.streams.purge(bus.streamName(STREAMS.stripeEvents));
    const billingPort = await freePort();
    const billing = spawnService('billing', {
      BILLING_PORT: String(billingPort),
      BILLING_OUTBOX_POLL_MS: '50',
    });
    await waitHealthy(`http://127.0.0.1:${billingPort}/health/ready`, billing);
    const customers: string[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await bus.request(BillingSubject.CreateTenant, {
        actor: { type: 'operator', id: 'bench', role: 'operator' },
        id: `bench-${i}`,
        name: `Bench ${i}`,
        billingEmail: `billing@bench-${i}.example`,
      });
      customers.push(tenant.stripeCustomerId!);
    }
    // Every effect is seen as billing's `billing.invoice.changed.v1`, whose cause is the event id.
    const effectAt = new Map<string, number>();
    const effects = bus.nc.subscribe(bus.subject('billing.invoice.changed.v1'), {
      callback: (error, msg) => {
        if (error) return;
        const cause = (JSON.parse(Buffer.from(msg.data).toString()) as { cause: string }).cause;
        if (!effectAt.has(cause)) effectAt.set(cause, performance.now());
      },
    });
    const allEffects = async (pool: Signed[]) => {
      const deadline = Date.now() + 120_000;
      while (pool.some((d) => !effectAt.has(d.id))) {
        if (Date.now() > deadline) {
          const seen = pool.filter((d) => effectAt.has(d.id)).length;
          throw new Error(`only ${seen} of ${pool.length} effects seen within 120 s`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return Math.max(...pool.map((d) => effectAt.get(d.id)!));
    };

    // Billing's capacity: a backlog of CAPACITY_EVENTS delivered as fast as webhooks takes them (several
    // times faster than billing projects them), timed from the first send to the last effect.
    const capacityOf = async (tag: string) => {
      const backlog = deliveries(template, CAPACITY_EVENTS, tag, customers);
      const backlogStart = performance.now();
      await sendAll([webhooksPort], backlog);
      const drainedAt = await allEffects(backlog);
      return backlog.length / ((drainedAt - backlogStart) / 1000);
    };
    const capacity = await capacityOf('capacity');

    // Lag at a fixed rate, after LAG_WARMUP_MS at that rate unmeasured: the steady state at that rate.
    const lagPool = deliveries(template, (LAG_RATE * (LAG_WARMUP_MS + LAG_MS)) / 1000, 'lag', customers);
    const sentAt = new Map<string, number>();
    const lagAcks = await fixedRate([webhooksPort], lagPool, LAG_RATE, LAG_MS, {
      warmupMs: LAG_WARMUP_MS,
      onSent: (d, at) => sentAt.set(d.id, at),
    });
    const measured = lagPool.slice((LAG_RATE * LAG_WARMUP_MS) / 1000);
    await allEffects(measured);

    // The same backlog with a second billing replica sharing the durable consumer (and the customer locks).
    const secondBillingPort = await freePort();
    const secondBilling = spawnService('billing', {
      BILLING_PORT: String(secondBillingPort),
      BILLING_OUTBOX_POLL_MS: '50',
    });
    await waitHealthy(`http://127.0.0.1:${secondBillingPort}/health/ready`, secondBilling);
    const capacityTwo = await capacityOf('capacity2');
    effects.unsubscribe();
    const lags = measured.map((d) => effectAt.get(d.id)! - sentAt.get(d.id)!).sort((x, y) => x - y);
    rows.push({
      group: 'webhooks end to end',
      metric: `billing projection capacity (${CAPACITY_EVENTS} events queued at once, ${TENANTS} customers)`,
      value: capacity,
      unit: 'ev/s',
      baseline: { name: 'lag phase offered rate', value: LAG_RATE },
    });
    rows.push({
      group: 'webhooks end to end',
      metric: `billing projection capacity, 2 replicas (${CAPACITY_EVENTS} events queued at once)`,
      value: capacityTwo,
      unit: 'ev/s',
      baseline: { name: '1 replica', value: capacity },
    });
    const ackName = 'its own ack at that rate';
    rows.push(
      {
        group: 'webhooks end to end',
        metric: `lag p50, webhook sent -> effect committed (${LAG_RATE} ev/s offered)`,
        value: percentile(lags, 50),
        unit: 'ms',
        baseline: { name: ackName, value: percentile(lagAcks.sorted, 50) },
      },
      {
        group: 'webhooks end to end',
        metric: `lag p99, webhook sent -> effect committed (${LAG_RATE} ev/s offered)`,
        value: percentile(lags, 99),
        unit: 'ms',
        baseline: { name: ackName, value: percentile(lagAcks.sorted, 99) },
      },
    );
  } finally {
    await probe?.stop();
    for (const child of children.reverse()) await stop(child);
    if (bus) {
      for (const stream of [STREAMS.stripeEvents, STREAMS.deadLetters, STREAMS.billingEvents])
        await bus.jsm.streams.delete(bus.streamName(stream)).catch(() => undefined);
      await bus.close(1000);
    }
    await emulator.stop();
    await db.drop();
    await admin.end();
  }
  return rows;
}

/**
 * The machine's durable-write latency, idle, on the database's disk where this process can write there; and
 * the share of 1,000 ev/s that those flushes alone would hold past 10 ms, beside the p99 target's budget.
 */
async function diskFlushRows(admin: Client): Promise<BenchRow[]> {
  const dataDirectory: string | undefined = await admin
    .query<{ dir: string }>("SELECT current_setting('data_directory') AS dir")
    .then((r) => r.rows[0]?.dir)
    .catch(() => undefined);
  let directory = tmpdir();
  let where = `${directory} (the database's directory is not writable from here)`;
  if (dataDirectory && canWrite(dataDirectory)) {
    directory = dataDirectory;
    where = "the database's directory";
  }
  const flushes = await probeFlushes(directory);
  const max = flushes.sorted.at(-1) ?? NaN;
  return [
    {
      group: 'machine',
      metric: `8 KB write + fdatasync p99.9, idle, in ${where}: ${flushes.sorted.length} in ${FLUSH_PROBE_MS / 1000} s, ${flushes.over10ms} over 10 ms, longest ${max.toFixed(1)} ms (see bench/disk-flush.ts)`,
      value: percentile(flushes.sorted, 99.9),
      unit: 'ms',
      baseline: { name: 'its p50', value: percentile(flushes.sorted, 50) },
    },
    {
      group: 'machine',
      metric: `deliveries those idle flushes alone would hold past 10 ms (time spent past 10 ms into a flush, ${flushes.msPast10ms.toFixed(0)} ms, over the probe's ${(flushes.durationMs / 1000).toFixed(1)} s)`,
      value: shareHeldPast10ms(flushes),
      unit: '%',
      baseline: { name: "the p99 target's budget for every cause", value: 1 },
    },
  ];
}

function canWrite(directory: string): boolean {
  try {
    accessSync(directory, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export const bench: BenchModule = { name: 'webhooks', run };

if (process.argv.includes('--hmac-baseline')) runHmacBaseline();
