/** Where the real Postgres and NATS for tests live, and a clear message when they are not there. */
import { Client } from 'pg';
import { connect } from 'nats';

export const TEST_PG_ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function assertServicesUp(): Promise<void> {
  const problems: string[] = [];
  const pg = new Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    problems.push(
      `PostgreSQL is not reachable at ${TEST_PG_ADMIN_URL} (${(error as Error).message}). Start it with ` +
        `'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' or install 'postgresql'.`,
    );
  } finally {
    await pg.end().catch(() => undefined);
  }
  try {
    const nc = await connect({ servers: TEST_NATS_URL, timeout: 3000 });
    const jsm = await nc.jetstreamManager();
    await jsm.getAccountInfo();
    await nc.close();
  } catch (error) {
    problems.push(
      `NATS with JetStream is not reachable at ${TEST_NATS_URL} (${(error as Error).message}). Start it with ` +
        `'nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server' or install 'nats-server'.`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
