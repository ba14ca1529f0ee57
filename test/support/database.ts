/**
 * Postgres isolation for tests (STYLE.md): the template database is migrated once per set of migrations,
 * and each test file gets its own database copied from it, so files run in parallel without sharing rows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '@tollgate/database';
import { SERVICE_DATABASES } from '../../scripts/service-databases';
import { TEST_PG_ADMIN_URL, databaseUrl } from './environment';

export function templateName(): string {
  // Names and code: a migration edited before it lands gets a new template instead of a stale one.
  const parts = SERVICE_DATABASES.flatMap((db) =>
    db.migrations.map((m) => `${db.schema}:${m.name}:${String(m.prototype.up)}`),
  );
  const hash = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);
  return `tollgate_tpl_${hash}`;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the migrated template if this set of migrations has none yet (safe across parallel runs). */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await admin(async (client) => {
    await client.query('SELECT pg_advisory_lock(774411)');
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_building`;
        await client.query(`DROP DATABASE IF EXISTS "${building}"`);
        await client.query(`CREATE DATABASE "${building}"`);
        for (const db of SERVICE_DATABASES) await migrate(db, databaseUrl(building));
        await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(774411)');
    }
  });
  return name;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = `tollgate_t_${randomBytes(6).toString('hex')}`;
  await admin(async (client) => {
    // CREATE DATABASE ... TEMPLATE needs the template to have no other sessions; retry briefly if it has.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

/** Removes test databases left by earlier runs (older than the current template or orphaned). */
export async function dropStaleTestDatabases(): Promise<void> {
  const keep = templateName();
  await admin(async (client) => {
    const rows = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'tollgate_tpl_%' AND datname <> $1 AND datname NOT LIKE '%_building'`,
      [keep],
    );
    for (const row of rows.rows)
      await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
  });
}
