import type { EntityManager } from 'typeorm';
import type { Page } from '@tollgate/contracts';
import { InvoiceEntity } from '../entities';

/** Cursor: `<created ISO>|<invoice id>` of the last row, newest first. */
export class InvoiceRepository {
  find(em: EntityManager, tenantId: string, stripeInvoiceId: string): Promise<InvoiceEntity | null> {
    return em.findOneBy(InvoiceEntity, { tenantId, stripeInvoiceId });
  }

  findById(em: EntityManager, stripeInvoiceId: string): Promise<InvoiceEntity | null> {
    return em.findOneBy(InvoiceEntity, { stripeInvoiceId });
  }

  /**
   * Writes the whole row in one statement (INSERT ... ON CONFLICT DO UPDATE). TypeORM's `save` first reads the
   * row back to diff it: one more round trip and, measured on `npm run bench`, a large share of billing's CPU
   * per projected event. Callers hold the customer's lock and pass the complete row.
   */
  async save(em: EntityManager, row: InvoiceEntity): Promise<void> {
    await em.upsert(InvoiceEntity, row, {
      conflictPaths: ['stripeInvoiceId'],
      skipUpdateIfNoValuesChanged: false,
    });
  }

  /** Open invoices of a subscription that still await payment (for the dunning view). */
  findOpenForSubscription(em: EntityManager, stripeSubscriptionId: string): Promise<InvoiceEntity | null> {
    return em.findOne(InvoiceEntity, {
      where: { stripeSubscriptionId, status: 'open' },
      order: { stripeCreatedAt: 'DESC' },
    });
  }

  async list(
    em: EntityManager,
    tenantId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<InvoiceEntity>> {
    const query = em
      .getRepository(InvoiceEntity)
      .createQueryBuilder('i')
      .where('i.tenant_id = :tenantId', { tenantId })
      .orderBy('i.stripe_created_at', 'DESC')
      .addOrderBy('i.stripe_invoice_id', 'DESC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
      const [at, id] = decoded.split('|');
      if (!at || !id || Number.isNaN(Date.parse(at))) return { data: [], nextCursor: null };
      query.andWhere('(i.stripe_created_at, i.stripe_invoice_id) < (:at, :id)', { at: new Date(at), id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page,
      nextCursor:
        rows.length > limit && last
          ? Buffer.from(`${last.stripeCreatedAt.toISOString()}|${last.stripeInvoiceId}`).toString('base64url')
          : null,
    };
  }
}
