import type { EntityManager } from 'typeorm';
import { SubscriptionEntity } from '../entities';
import { LIVE_STATES } from '../services/subscription-state.machine';

export class SubscriptionRepository {
  find(em: EntityManager, stripeSubscriptionId: string): Promise<SubscriptionEntity | null> {
    return em.findOneBy(SubscriptionEntity, { stripeSubscriptionId });
  }

  findLive(em: EntityManager, tenantId: string): Promise<SubscriptionEntity | null> {
    return em
      .getRepository(SubscriptionEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId AND s.state IN (:...live)', { tenantId, live: LIVE_STATES })
      .getOne();
  }

  /** The live subscription, else the most recent one (an expired or canceled subscription still tells a story). */
  async current(em: EntityManager, tenantId: string): Promise<SubscriptionEntity | null> {
    return (
      (await this.findLive(em, tenantId)) ??
      em.findOne(SubscriptionEntity, { where: { tenantId }, order: { createdAt: 'DESC' } })
    );
  }

  async hasAny(em: EntityManager, tenantId: string): Promise<boolean> {
    return (await em.countBy(SubscriptionEntity, { tenantId })) > 0;
  }

  /**
   * Writes the whole row in one statement (INSERT ... ON CONFLICT DO UPDATE). TypeORM's `save` first reads the
   * row back to diff it: one more round trip and, measured on `npm run bench`, a large share of billing's CPU
   * per projected event. Callers hold the customer's lock and pass the complete row.
   */
  async save(em: EntityManager, row: SubscriptionEntity): Promise<void> {
    await em.upsert(SubscriptionEntity, row, {
      conflictPaths: ['stripeSubscriptionId'],
      skipUpdateIfNoValuesChanged: false,
    });
  }
}
