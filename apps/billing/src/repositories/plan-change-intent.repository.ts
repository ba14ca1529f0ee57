import type { EntityManager } from 'typeorm';
import { PlanChangeIntentEntity } from '../entities';

export class PlanChangeIntentRepository {
  /** The subscription's oldest pending change (under the customer lock there is at most one). */
  find(em: EntityManager, stripeSubscriptionId: string): Promise<PlanChangeIntentEntity | null> {
    return em.findOne(PlanChangeIntentEntity, {
      where: { stripeSubscriptionId },
      order: { createdAt: 'ASC' },
    });
  }

  async record(em: EntityManager, intent: PlanChangeIntentEntity): Promise<void> {
    await em.upsert(PlanChangeIntentEntity, intent, ['stripeSubscriptionId', 'keyHash']);
  }

  async delete(em: EntityManager, stripeSubscriptionId: string, keyHash: string): Promise<void> {
    await em.delete(PlanChangeIntentEntity, { stripeSubscriptionId, keyHash });
  }
}
