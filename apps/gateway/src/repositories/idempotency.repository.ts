import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IdempotencyRecordEntity } from '../entities/idempotency-record.entity';

@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Claims the key; returns null when this call claimed it, or the existing record. */
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
}
