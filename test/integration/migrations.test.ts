import { openDataSource, pendingSchemaChanges } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import { SERVICE_DATABASES } from '../../scripts/service-databases';

/** CI fails when an entity changed without a committed migration (STYLE.md). */
describe('committed migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it.each(SERVICE_DATABASES.map((d) => [d.schema, d] as const))(
    'leave nothing for the %s entities to generate',
    async (_schema, service) => {
      const ds = await openDataSource(service, db.url, 1);
      try {
        expect(await pendingSchemaChanges(ds)).toEqual([]);
      } finally {
        await ds.destroy();
      }
    },
  );
});
