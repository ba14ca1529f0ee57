import type { EntityManager } from 'typeorm';
import { CheckoutSessionEntity } from '../entities';

export class CheckoutSessionRepository {
  findByKey(
    em: EntityManager,
    tenantId: string,
    idempotencyKey: string,
  ): Promise<CheckoutSessionEntity | null> {
    return em.findOneBy(CheckoutSessionEntity, { tenantId, idempotencyKey });
  }

  findOpen(em: EntityManager, tenantId: string): Promise<CheckoutSessionEntity | null> {
    return em.findOneBy(CheckoutSessionEntity, { tenantId, status: 'open' });
  }

  async insert(em: EntityManager, row: CheckoutSessionEntity): Promise<void> {
    await em.insert(CheckoutSessionEntity, row);
  }

  async setStatus(em: EntityManager, stripeSessionId: string, status: 'complete' | 'expired'): Promise<void> {
    await em.update(CheckoutSessionEntity, { stripeSessionId }, { status });
  }
}
