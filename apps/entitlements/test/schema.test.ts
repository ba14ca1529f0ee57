import { openDataSource, pendingSchemaChanges } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import { entitlementsDatabase } from '../src/database';

describe('entitlements schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('has committed migrations that match the entities exactly', async () => {
    const ds = await openDataSource(entitlementsDatabase, db.url, 1);
    try {
      expect(await pendingSchemaChanges(ds)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
