import type { EntityManager } from 'typeorm';
import { PriceEntity } from '../entities';

export class PriceRepository {
  all(em: EntityManager): Promise<PriceEntity[]> {
    return em.find(PriceEntity);
  }

  async upsert(em: EntityManager, rows: PriceEntity[]): Promise<void> {
    if (rows.length === 0) return;
    await em.upsert(PriceEntity, rows, ['lookupKey']);
  }
}
