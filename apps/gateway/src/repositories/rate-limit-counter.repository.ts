/**
 * `gateway.rate_limit_counters`: one fixed window per throttler key, shared by every gateway replica.
 * Each hit is one statement (an upsert that reads and moves the window in the row lock), so concurrent hits
 * from any replica are counted exactly once; the database clock is the one clock, so replicas whose clocks
 * drift still agree on when a window ends.
 * Its own small pg pool, beside TypeORM's: the statements are named (parsed and planned once per connection,
 * as in the webhooks inbox), and short timeouts let the limiter give up on a slow or unreachable Postgres
 * quickly (RateLimitStorage then counts in memory) instead of holding every request.
 */
import { Pool } from 'pg';

/** A key's window after one hit; durations are from the database's now. */
export interface CounterState {
  /** Hits counted in the window (hits while blocked are not counted). */
  hits: number;
  expiresInMs: number;
  /** Time left blocked; null when not blocked. */
  blockedForMs: number | null;
}

const INCREMENT = {
  name: 'gateway-rate-limit-increment-v1',
  // $1 key, $2 ttl ms, $3 limit, $4 block ms. Over the limit, the key is blocked for $4 (hits are not counted
  // meanwhile); once the block is over the next hit starts counting from 1. $4 <= 0 means "no block": refuse
  // until the window ends, which is the same as a block that ends with the window.
  text: `INSERT INTO gateway.rate_limit_counters AS c (key, hits, expires_at, blocked_until)
         VALUES ($1, 1, now() + $2::float8 * interval '1 millisecond',
                 CASE WHEN 1 > $3::int
                      THEN now() + (CASE WHEN $4::float8 > 0 THEN $4::float8 ELSE $2::float8 END) * interval '1 millisecond'
                 END)
         ON CONFLICT (key) DO UPDATE SET (hits, expires_at, blocked_until) = (
           SELECT s.hits, s.expires_at,
                  CASE WHEN s.blocked THEN c.blocked_until
                       WHEN s.hits <= $3::int THEN NULL
                       WHEN $4::float8 > 0 THEN now() + $4::float8 * interval '1 millisecond'
                       ELSE s.expires_at
                  END
             FROM (SELECT coalesce(c.blocked_until > now(), false) AS blocked,
                          CASE WHEN c.expires_at > now() THEN c.expires_at
                               ELSE now() + $2::float8 * interval '1 millisecond' END AS expires_at,
                          CASE WHEN c.blocked_until > now() THEN CASE WHEN c.expires_at > now() THEN c.hits ELSE 0 END
                               WHEN c.blocked_until IS NULL AND c.expires_at > now() THEN c.hits + 1
                               ELSE 1
                          END AS hits) s)
         RETURNING c.hits,
                   (extract(epoch FROM c.expires_at - now()) * 1000)::float8 AS expires_in_ms,
                   (extract(epoch FROM c.blocked_until - now()) * 1000)::float8 AS blocked_for_ms`,
};

/** Rows that mean nothing any more (window over, not blocked): deleting one is the same as keeping it. */
const DELETE_EXPIRED = {
  name: 'gateway-rate-limit-delete-expired-v1',
  // In batches, skipping rows a hit holds right now: a sweep never makes a request wait.
  text: `DELETE FROM gateway.rate_limit_counters
          WHERE key IN (SELECT key FROM gateway.rate_limit_counters
                         WHERE expires_at <= now() AND (blocked_until IS NULL OR blocked_until <= now())
                         LIMIT $1::int
                           FOR UPDATE SKIP LOCKED)`,
};

const SWEEP_BATCH = 5000;
const SWEEP_MAX_BATCHES = 100;

export interface RateLimitCounterOptions {
  /** How long a hit may wait for a connection or an answer before the limiter gives up on Postgres. */
  timeoutMs: number;
  poolSize: number;
}

export class RateLimitCounterRepository {
  private readonly pool: Pool;

  constructor(databaseUrl: string, options: RateLimitCounterOptions) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      application_name: 'tollgate-gateway-rate-limit',
      max: options.poolSize,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      options: `-c statement_timeout=${options.timeoutMs}`,
    });
    // An idle connection that dies (Postgres restarted) is dropped by the pool; the next hit opens another,
    // and a failure there is reported by the caller. Without a listener the 'error' event would crash.
    this.pool.on('error', () => undefined);
  }

  async increment(key: string, ttlMs: number, limit: number, blockMs: number): Promise<CounterState> {
    const result = await this.pool.query<{
      hits: number;
      expires_in_ms: number;
      blocked_for_ms: number | null;
    }>({ ...INCREMENT, values: [key, ttlMs, limit, blockMs] });
    const row = result.rows[0];
    return { hits: row.hits, expiresInMs: row.expires_in_ms, blockedForMs: row.blocked_for_ms };
  }

  /** Deletes expired counters; answers how many. */
  async deleteExpired(): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
      const { rowCount } = await this.pool.query({ ...DELETE_EXPIRED, values: [SWEEP_BATCH] });
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < SWEEP_BATCH) break;
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
