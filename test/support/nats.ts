import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { NatsBus } from '@tollgate/messaging';
import { TEST_NATS_URL } from './environment';

/** A namespace no other test run shares: every subject and stream name gets it as a prefix. */
export function testNamespace(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export async function connectTestBus(namespace: string, name = 'test'): Promise<NatsBus> {
  return NatsBus.connect({
    url: TEST_NATS_URL,
    name,
    namespace,
    requestTimeoutMs: 5000,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
}

/** Deletes the streams of a namespace once a test file is done with them. */
export async function deleteNamespaceStreams(bus: NatsBus): Promise<void> {
  const prefix = `${bus.namespace}_`;
  const streams = await bus.jsm.streams.list().next();
  for (const s of streams) if (s.config.name.startsWith(prefix)) await bus.jsm.streams.delete(s.config.name);
}
