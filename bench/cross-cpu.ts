/**
 * A property of the machine, not of Tollgate: how long a loopback TCP round trip between two processes takes
 * when the kernel runs them on two different CPUs, beside the same two processes on one CPU. Every webhook
 * delivery crosses processes several times (load generator, service, Postgres, NATS and back), and each
 * crossing to a process on an idle CPU pays for waking that CPU. On session 8's machine (a nested guest) that
 * round trip took 154 µs across CPUs and 32 µs on one, and a bare HMAC handler alone had a p99 of 9 ms at
 * 1,000 ev/s; on earlier machines the same handler's p99 was about 2 ms. The row makes runs on different
 * machines comparable. Linux only (it pins the two processes with `taskset`, from util-linux).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/** Round trips per measurement: enough for a stable mean, about a second at the slowest seen. */
export const ROUND_TRIPS = 10_000;

const ECHO = `const s = require('net').createServer((c) => c.on('data', (d) => c.write(d)));
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;

const PING = `const n = Number(process.argv[2]);
const c = require('net').connect(Number(process.argv[1]), '127.0.0.1', () => {
  let left = n; const t0 = process.hrtime.bigint();
  c.on('data', () => {
    if (--left === 0) { process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e3 / n)); process.exit(0); }
    c.write('x');
  });
  c.write('x');
});`;

export function canPin(): boolean {
  return (
    process.platform === 'linux' &&
    cpus().length >= 2 &&
    spawnSync('taskset', ['-c', '0', 'true']).status === 0
  );
}

/** Mean µs per round trip between an echo server on `serverCpu` and a client on `clientCpu`. */
export async function roundTripMicros(
  serverCpu: number,
  clientCpu: number,
  trips = ROUND_TRIPS,
): Promise<number> {
  const server = spawn('taskset', ['-c', String(serverCpu), process.execPath, '-e', ECHO], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    });
    const client = spawnSync(
      'taskset',
      ['-c', String(clientCpu), process.execPath, '-e', PING, port, String(trips)],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const micros = Number(client.stdout);
    if (client.status !== 0 || !Number.isFinite(micros) || micros <= 0)
      throw new Error(`round trip probe failed: ${client.stderr || client.stdout}`);
    return micros;
  } finally {
    server.kill();
  }
}

/** Both pairings, on an otherwise idle machine; undefined where processes cannot be pinned. */
export async function crossCpuRoundTrip(): Promise<{ sameCpu: number; crossCpu: number } | undefined> {
  if (!canPin()) return undefined;
  const sameCpu = await roundTripMicros(0, 0);
  const crossCpu = await roundTripMicros(0, 1);
  return { sameCpu, crossCpu };
}
