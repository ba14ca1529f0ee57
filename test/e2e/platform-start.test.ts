/**
 * startPlatform (scripts/platform.ts) when one service cannot start: the start fails with that service's
 * reason, and no process it spawned is left running (a leftover would hold its port and its database
 * connections after the test, and after CI).
 */
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import {
  TEST_JWT_SECRET,
  TEST_NATS_URL,
  createTestDatabase,
  testNamespace,
  type TestDatabase,
} from '@tollgate/testing';
import { ROOT, startPlatform } from '../../scripts/platform';
import { freePorts } from './pipeline-harness';

jest.setTimeout(120_000);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startPlatform when a service cannot start', () => {
  let db: TestDatabase;
  let squatter: Server;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await new Promise((resolve) => squatter?.close(resolve));
    await db?.drop();
  });

  it('fails with that reason and stops every process it started', async () => {
    const ports = await freePorts();
    // Something else already holds billing's port.
    squatter = createServer((socket) => socket.destroy()); // holds the port, keeps no connection open
    await new Promise<void>((resolve) => squatter.listen(ports.billing, '0.0.0.0', resolve));

    await expect(
      startPlatform({
        ports,
        databaseUrl: db.url,
        natsUrl: TEST_NATS_URL,
        namespace: testNamespace(),
        jwtSecret: TEST_JWT_SECRET,
        webhookSecret: 'whsec_e2e_platform_start',
        stripeSecretKey: 'sk_test_platform_start',
        logDir: join(ROOT, 'test-artifacts', 'e2e-logs', db.name),
      }),
    ).rejects.toThrow(/exited before it was ready/);

    const stillListening: string[] = [];
    for (const [name, port] of Object.entries(ports))
      if (name !== 'billing' && (await listening(port))) stillListening.push(name);
    expect(stillListening).toEqual([]);
  });
});
