import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pruneOldest } from '@tollgate/database';
import { CONFIG } from '@tollgate/service-runtime';
import { IdempotencyRecordEntity } from '../entities/idempotency-record.entity';
import type { GatewayConfig } from '../gateway.config';

@Injectable()
export class IdempotencyRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * Claims the key; returns null when this call claimed it, or the existing record. A record left in flight
   * past GATEWAY_IDEMPOTENCY_IN_FLIGHT_LEASE_MS by a request whose gateway died is taken over by a request
   * with the same body (its lease starts again); the operations behind the gateway are idempotent on the key,
   * so running the request again finishes what the first began.
   */
  async claim(
    scope: string,
    key: string,
    route: string,
    requestHash: string,
  ): Promise<IdempotencyRecordEntity | null> {
    const inserted = await this.ds
      .createQueryBuilder()
      .insert()
      .into(IdempotencyRecordEntity)
      .values({ scope, key, route, requestHash, status: 'in_flight' })
      .orIgnore()
      .returning(['key'])
      .execute();
    if ((inserted.raw as unknown[]).length > 0) return null;
    const [takenOver]: [unknown[], number] = await this.ds.query(
      `UPDATE gateway.idempotency_keys SET created_at = now()
        WHERE scope = $1 AND key = $2 AND status = 'in_flight' AND request_hash = $3
          AND created_at < now() - make_interval(secs => $4::double precision / 1000)
        RETURNING key`,
      [scope, key, requestHash, this.config.GATEWAY_IDEMPOTENCY_IN_FLIGHT_LEASE_MS],
    );
    if (takenOver.length > 0) return null;
    return this.ds.getRepository(IdempotencyRecordEntity).findOneByOrFail({ scope, key });
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.ds.getRepository(IdempotencyRecordEntity).update(
      { scope, key },
      {
        status: 'completed',
        responseStatus: status,
        responseBody: body as object,
        completedAt: new Date(),
      },
    );
  }

  /** Frees a key whose request failed in a way worth retrying (5xx, timeout). */
  async release(scope: string, key: string): Promise<void> {
    await this.ds.getRepository(IdempotencyRecordEntity).delete({ scope, key, status: 'in_flight' });
  }

  /** Deletes up to `limit` keys first used before `before`, oldest first; answers how many. */
  pruneBefore(before: Date, limit: number): Promise<number> {
    return pruneOldest(
      this.ds,
      { table: 'gateway.idempotency_keys', key: ['scope', 'key'], time: 'created_at' },
      before,
      limit,
    );
  }
}
