/** What `pruneOldest` deletes from: names written by the code, never taken from input. */
export interface PrunableTable {
  /** Schema-qualified, e.g. `billing.outbox`. */
  table: string;
  /** The primary key column. */
  key: string;
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
  const [, affected] = (await db.query(
    `DELETE FROM ${table} t
      USING (SELECT ${key} FROM ${table}
              WHERE ${time} < $1${eligible ? ` AND (${eligible})` : ''}
              ORDER BY ${time}, ${key}
              LIMIT $2
              FOR UPDATE SKIP LOCKED) old
      WHERE t.${key} = old.${key}`,
    [before, limit],
  )) as [unknown, number];
  return affected;
}
