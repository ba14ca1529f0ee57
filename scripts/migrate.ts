/** `npm run migrate`: applies every service's committed migrations to DATABASE_URL (creating it if needed). */
import 'reflect-metadata';
import { migrate } from '@tollgate/database';
import { SERVICE_DATABASES } from './service-databases';

export async function migrateAll(url: string, log: (line: string) => void = console.log): Promise<void> {
  for (const db of SERVICE_DATABASES) {
    const applied = await migrate(db, url);
    log(`${db.schema}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tollgate';
  migrateAll(url).catch((error: unknown) => {
    console.error(`migration failed: ${String(error)}`);
    process.exit(1);
  });
}
