/**
 * Ports for processes a test spawns, which must be chosen before the process binds them. Asking the kernel for
 * a free port (listen on 0, close) races: another jest worker's listen(0) can be handed the same port before
 * our process binds it (seen in CI: EADDRINUSE). Instead each jest worker takes its ports from a block of its
 * own below the kernel's ephemeral range (32768 and up, which listen(0) draws from), checking each is free.
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

const FIRST_PORT = 20_000;
const BLOCK_SIZE = 1_000;
const BLOCKS = 12; // 20000-31999: below the ephemeral range

let offset = -1;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** A port free now, in this jest worker's block; consecutive calls never answer the same port twice. */
export async function reservePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? 1);
  const base = FIRST_PORT + ((Math.max(worker, 1) - 1) % BLOCKS) * BLOCK_SIZE;
  // A random start: test files run in fresh module registries, and a port a previous file's process held may
  // still be closing.
  if (offset < 0) offset = randomInt(0, BLOCK_SIZE);
  for (let tries = 0; tries < BLOCK_SIZE; tries++) {
    const port = base + (offset++ % BLOCK_SIZE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + BLOCK_SIZE - 1}`);
}
