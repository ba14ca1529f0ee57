import type { EntityManager } from 'typeorm';
import type { Page, Tenant } from '@tollgate/contracts';
import { TenantEntity } from '../entities';

export const tenantView = (row: TenantEntity): Tenant => ({
  id: row.id,
  name: row.name,
  billingEmail: row.billingEmail,
  locale: row.locale,
  timeZone: row.timeZone,
  stripeCustomerId: row.stripeCustomerId,
  createdAt: row.createdAt.toISOString(),
});

export class TenantRepository {
  find(em: EntityManager, id: string): Promise<TenantEntity | null> {
    return em.findOneBy(TenantEntity, { id });
  }

  /** Locks the tenant row for the rest of the transaction (serializes a tenant's commands). */
  findForUpdate(em: EntityManager, id: string): Promise<TenantEntity | null> {
    return em
      .getRepository(TenantEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.id = :id', { id })
      .getOne();
  }

  findByCustomer(em: EntityManager, stripeCustomerId: string): Promise<TenantEntity | null> {
    return em.findOneBy(TenantEntity, { stripeCustomerId });
  }

  /** Inserts unless the id exists; true when this call created it. */
  async insertIfAbsent(em: EntityManager, row: TenantEntity): Promise<boolean> {
    const result = await em.createQueryBuilder().insert().into(TenantEntity).values(row).orIgnore().execute();
    return (result.raw as unknown[]).length > 0;
  }

  async list(em: EntityManager, cursor: string | undefined, limit: number): Promise<Page<Tenant>> {
    const query = em
      .getRepository(TenantEntity)
      .createQueryBuilder('t')
      .orderBy('t.id', 'ASC')
      .limit(limit + 1);
    if (cursor !== undefined) query.where('t.id > :cursor', { cursor });
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    return { data: page.map(tenantView), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** Next value of the tenant's monotonic subscription-event version. */
  async nextStateVersion(em: EntityManager, id: string): Promise<number> {
    // TypeORM answers an UPDATE ... RETURNING as [rows, affectedCount], not as rows.
    const [rows]: [{ state_version: string }[], number] = await em.query(
      `UPDATE billing.tenants SET state_version = state_version + 1 WHERE id = $1 RETURNING state_version`,
      [id],
    );
    const version = Number(rows[0]?.state_version);
    if (!Number.isSafeInteger(version)) throw new Error(`tenant ${id} has no state version to advance`);
    return version;
  }

  async setPaymentMethod(
    em: EntityManager,
    id: string,
    pm: { id: string; brand: string; last4: string },
  ): Promise<void> {
    await em.update(
      TenantEntity,
      { id },
      { paymentMethodId: pm.id, paymentMethodBrand: pm.brand, paymentMethodLast4: pm.last4 },
    );
  }

  async clearPaymentMethod(em: EntityManager, id: string): Promise<void> {
    await em.update(
      TenantEntity,
      { id },
      { paymentMethodId: null, paymentMethodBrand: null, paymentMethodLast4: null },
    );
  }
}
