/**
 * Two small pg pools for the inbox's hot statements, beside TypeORM's pool for everything else. Measured on
 * `npm run bench` at 1,000 events/s, Postgres spent more CPU on the inbox than the webhooks service itself,
 * most of it per statement rather than per row: TypeORM sends every query unnamed, so Postgres parses and
 * plans it each time. Named statements here are parsed and planned once per connection.
 * - `writes`: synchronous commit. A recorded event is on disk before its 2xx.
 * - `bookkeeping`: `synchronous_commit = off`. It only marks events published; a mark lost in a crash means
 *   the relay publishes that event again, which the broker (Nats-Msg-Id) and consumers deduplicate. Not
 *   waiting for the WAL flush keeps these commits off the disk's queue that the 2xx path waits on.
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type QueryResultRow } from 'pg';
import { WebhooksConfig } from '../webhooks.config';

export interface NamedStatement {
  /** Unique per statement text: Postgres keeps one prepared statement per name and connection. */
  name: string;
  text: string;
}

@Injectable()
export class InboxPools implements OnApplicationShutdown {
  readonly writes: Pool;
  readonly bookkeeping: Pool;

  constructor(config: WebhooksConfig) {
    this.writes = new Pool({
      connectionString: config.DATABASE_URL,
      application_name: 'tollgate-webhooks-inbox',
      max: 3,
    });
    this.bookkeeping = new Pool({
      connectionString: config.DATABASE_URL,
      application_name: 'tollgate-webhooks-bookkeeping',
      max: 1,
      options: '-c synchronous_commit=off',
    });
  }

  static async run<R extends QueryResultRow>(
    pool: Pool,
    statement: NamedStatement,
    values: unknown[],
  ): Promise<R[]> {
    return (await pool.query<R>({ ...statement, values })).rows;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.writes.end(), this.bookkeeping.end()]);
  }
}
