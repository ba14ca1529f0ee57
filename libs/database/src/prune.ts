/** What `pruneOldest` deletes from: names written by the code, never taken from input. */
export interface PrunableTable {
  /** Schema-qualified, e.g. `billing.outbox`. */
  table: string;
  /** The primary key's columns. */
  key: string[];
  /** The time column a row ages by (indexed). */
  time: string;
  /** Rows that must stay however old, e.g. `status <> 'received'` to keep only finished rows eligible. */
  eligible?: string;
}

interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Deletes up to `limit` rows whose time is before `before`, oldest first, skipping rows another transaction
 * holds (FOR UPDATE SKIP LOCKED, so replicas pruning at once do not wait on each other); answers how many.
 * For TypeORM's DataSource, whose DELETE result is `[rows, affected]`.
 */
export async function pruneOldest(
  db: Queryable,
  spec: PrunableTable,
  before: Date,
  limit: number,
): Promise<number> {
  const { table, key, time, eligible } = spec;
  const columns = key.join(', ');
  const [, affected] = (await db.query(
    `DELETE FROM ${table} t
      USING (SELECT ${columns} FROM ${table}
              WHERE ${time} < $1${eligible ? ` AND (${eligible})` : ''}
              ORDER BY ${time}, ${columns}
              LIMIT $2
              FOR UPDATE SKIP LOCKED) old
      WHERE (${key.map((c) => `t.${c}`).join(', ')}) = (${key.map((c) => `old.${c}`).join(', ')})`,
    [before, limit],
  )) as [unknown, number];
  return affected;
}

interface MigrationQueries {
  query(sql: string): Promise<unknown>;
}

/**
 * Builds an index CONCURRENTLY (the migration must run with `transaction = false`), so that a live deployment
 * keeps writing to a large table meanwhile. A build interrupted half-way leaves an invalid index of that name;
 * it is dropped first, so running the migration again builds it anew.
 */
export async function createIndexConcurrently(
  q: MigrationQueries,
  schema: string,
  name: string,
  on: string,
): Promise<void> {
  await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."${name}"`);
  await q.query(`CREATE INDEX CONCURRENTLY "${name}" ON "${schema}".${on}`);
}
