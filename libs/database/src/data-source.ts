/**
 * One database, one schema per owning service. Each service describes its schema (entities and committed
 * migrations) with a ServiceDatabase; the same description builds the runtime connection, runs migrations
 * (`npm run migrate`, or at start behind MIGRATE_ON_START) and checks that the entities match them.
 */
import { DataSource, type DataSourceOptions, type MigrationInterface, type MixedList } from 'typeorm';
import { Client } from 'pg';

export interface ServiceDatabase {
  /** The Postgres schema the service owns; no other service writes to it. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  migrations: (new () => MigrationInterface)[];
}

export function dataSourceOptions(
  db: ServiceDatabase,
  url: string,
  options: { poolSize?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    schema: db.schema,
    entities: db.entities,
    migrations: db.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName ?? `tollgate-${db.schema}`,
    extra: { max: options.poolSize ?? 10 },
  };
}

export async function openDataSource(
  db: ServiceDatabase,
  url: string,
  poolSize?: number,
): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(db, url, { poolSize }));
  return ds.initialize();
}

/** Runs the service's committed migrations (creating its schema first); returns the names applied. */
export async function migrate(db: ServiceDatabase, url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = await openDataSource(db, url, 2);
  try {
    await ds.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** SQL the entities would need beyond the committed migrations; empty when they agree. */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const log = await ds.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

/** Creates the database named in `url` when it does not exist (local runs and CI start from nothing). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } catch (error) {
        if ((error as { code?: string }).code !== '42P04') throw error; // created concurrently
      }
    }
  } finally {
    await client.end();
  }
}
