import type { EntityManager } from 'typeorm';
import type { Member } from '@tollgate/contracts';
import { MemberEntity } from '../entities';

export const memberView = (row: MemberEntity): Member => ({
  userId: row.userId,
  email: row.email,
  addedAt: row.addedAt.toISOString(),
});

export class MemberRepository {
  list(em: EntityManager, tenantId: string): Promise<MemberEntity[]> {
    return em.find(MemberEntity, { where: { tenantId }, order: { addedAt: 'ASC', userId: 'ASC' } });
  }

  count(em: EntityManager, tenantId: string): Promise<number> {
    return em.countBy(MemberEntity, { tenantId });
  }

  find(em: EntityManager, tenantId: string, userId: string): Promise<MemberEntity | null> {
    return em.findOneBy(MemberEntity, { tenantId, userId });
  }

  async insert(em: EntityManager, row: MemberEntity): Promise<void> {
    await em.insert(MemberEntity, row);
  }

  async delete(em: EntityManager, tenantId: string, userId: string): Promise<boolean> {
    const result = await em.delete(MemberEntity, { tenantId, userId });
    return (result.affected ?? 0) > 0;
  }
}
