/**
 * Runs the whole platform as separate processes: the Stripe emulator, the SMTP catcher and the five
 * services, wired to one Postgres database and one NATS namespace. `npm start` uses it with the contract's
 * default ports; the end-to-end suite with its own ports, database and namespace so it never meets a demo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@tollgate/config';

export const ROOT = repoRoot(__dirname);
const DIST = join(ROOT, 'dist');

export interface PlatformPorts {
  gateway: number;
  webhooks: number;
  billing: number;
  entitlements: number;
  notifications: number;
  emulator: number;
  smtp: number;
  smtpHttp: number;
}

export const DEFAULT_PORTS: PlatformPorts = {
  gateway: 3000,
  webhooks: 3001,
  billing: 3002,
  entitlements: 3003,
  notifications: 3004,
  emulator: 12111,
  smtp: 1025,
  smtpHttp: 8025,
};

export interface PlatformOptions {
  ports: PlatformPorts;
  databaseUrl: string;
  natsUrl: string;
  namespace?: string;
  jwtSecret: string;
  webhookSecret: string;
  stripeSecretKey: string;
  /** Where each process's output goes (one file per process); inherit = this terminal. */
  logDir?: string;
  logLevel?: string;
  extraEnv?: Record<string, string>;
  /** Keep the emulator's state in this file across restarts (local runs). */
  emulatorSnapshot?: string;
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  healthUrl: string;
}

export interface RunningPlatform {
  urls: Record<keyof PlatformPorts, string>;
  processes: ServiceProcess[];
  /** Restarts one process (same command, same environment). */
  restart(name: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

interface ProcessSpec {
  name: string;
  entry: string;
  env: Record<string, string>;
  healthUrl: string;
  ready: 'ready' | 'live';
}

function specs(o: PlatformOptions): ProcessSpec[] {
  const p = o.ports;
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const common: Record<string, string> = {
    DATABASE_URL: o.databaseUrl,
    NATS_URL: o.natsUrl,
    NATS_NAMESPACE: o.namespace ?? '',
    LOG_LEVEL: o.logLevel ?? 'info',
    STRIPE_SECRET_KEY: o.stripeSecretKey,
    STRIPE_API_BASE: local(p.emulator),
    STRIPE_WEBHOOK_SECRETS: o.webhookSecret,
    AUTH_JWT_SECRET: o.jwtSecret,
    SMTP_URL: `smtp://127.0.0.1:${p.smtp}`,
    PUBLIC_BASE_URL: local(p.gateway),
    ...o.extraEnv,
  };
  return [
    {
      name: 'stripe-emulator',
      entry: 'apps/stripe-emulator/src/main.js',
      env: {
        STRIPE_EMULATOR_PORT: String(p.emulator),
        STRIPE_EMULATOR_WEBHOOK_URL: `${local(p.webhooks)}/webhooks/stripe`,
        STRIPE_EMULATOR_WEBHOOK_SECRET: o.webhookSecret,
        ...(o.emulatorSnapshot ? { STRIPE_EMULATOR_SNAPSHOT: o.emulatorSnapshot } : {}),
      },
      healthUrl: `${local(p.emulator)}/_emulator/config`,
      ready: 'live',
    },
    {
      name: 'smtp-catcher',
      entry: 'apps/smtp-catcher/src/main.js',
      env: { SMTP_CATCHER_PORT: String(p.smtp), SMTP_CATCHER_HTTP_PORT: String(p.smtpHttp) },
      healthUrl: `${local(p.smtpHttp)}/api/messages`,
      ready: 'live',
    },
    {
      name: 'webhooks',
      entry: 'apps/webhooks/src/main.js',
      env: { ...common, WEBHOOKS_PORT: String(p.webhooks) },
      healthUrl: `${local(p.webhooks)}/health/ready`,
      ready: 'ready',
    },
    {
      name: 'billing',
      entry: 'apps/billing/src/main.js',
      env: { ...common, BILLING_PORT: String(p.billing) },
      healthUrl: `${local(p.billing)}/health/ready`,
      ready: 'ready',
    },
    {
      name: 'entitlements',
      entry: 'apps/entitlements/src/main.js',
      env: { ...common, ENTITLEMENTS_PORT: String(p.entitlements) },
      healthUrl: `${local(p.entitlements)}/health/ready`,
      ready: 'ready',
    },
    {
      name: 'notifications',
      entry: 'apps/notifications/src/main.js',
      env: { ...common, NOTIFICATIONS_PORT: String(p.notifications) },
      healthUrl: `${local(p.notifications)}/health/ready`,
      ready: 'ready',
    },
    {
      name: 'gateway',
      entry: 'apps/gateway/src/main.js',
      env: { ...common, GATEWAY_PORT: String(p.gateway) },
      healthUrl: `${local(p.gateway)}/health/ready`,
      ready: 'ready',
    },
  ];
}

export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: process exited before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

function spawnSpec(spec: ProcessSpec, o: PlatformOptions): ChildProcess {
  const child = spawn(process.execPath, [join(DIST, spec.entry)], {
    cwd: ROOT,
    env: { ...process.env, ...spec.env },
    stdio: o.logDir ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (o.logDir) {
    mkdirSync(o.logDir, { recursive: true });
    const out: WriteStream = createWriteStream(join(o.logDir, `${spec.name}.log`), { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  }
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 15_000,
): Promise<void> {
  if (exited(child)) return;
  await new Promise<void>((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill(signal);
  });
}

export async function startPlatform(o: PlatformOptions, readyTimeoutMs = 60_000): Promise<RunningPlatform> {
  const all = specs(o);
  const processes: ServiceProcess[] = [];
  /** Every child spawned, ready or not: a start that fails must not leave the others running. */
  const spawned: ChildProcess[] = [];
  const start = async (spec: ProcessSpec): Promise<ServiceProcess> => {
    const child = spawnSpec(spec, o);
    spawned.push(child);
    await waitForHttp(spec.healthUrl, readyTimeoutMs, () => !exited(child));
    return { name: spec.name, child, healthUrl: spec.healthUrl };
  };
  const stop = async () => {
    await Promise.all([...processes].reverse().map((p) => stopChild(p.child)));
  };
  try {
    // The emulator and catcher first (billing syncs the catalog to Stripe at boot), then the services.
    for (const spec of all.slice(0, 2)) processes.push(await start(spec));
    const services = await Promise.allSettled(all.slice(2).map((spec) => start(spec)));
    const failed = services.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    for (const s of services) if (s.status === 'fulfilled') processes.push(s.value);
  } catch (error) {
    await Promise.all(spawned.map((child) => stopChild(child)));
    throw error;
  }
  const p = o.ports;
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    urls: {
      gateway: url(p.gateway),
      webhooks: url(p.webhooks),
      billing: url(p.billing),
      entitlements: url(p.entitlements),
      notifications: url(p.notifications),
      emulator: url(p.emulator),
      smtp: `smtp://127.0.0.1:${p.smtp}`,
      smtpHttp: url(p.smtpHttp),
    },
    processes,
    restart: async (name, signal = 'SIGTERM') => {
      const index = processes.findIndex((p) => p.name === name);
      const spec = all.find((s) => s.name === name);
      if (index < 0 || !spec) throw new Error(`no process ${name}`);
      await stopChild(processes[index].child, signal);
      processes[index] = await start(spec);
    },
    stop,
  };
}
