import type { EntityManager } from 'typeorm';
import type { Actor, AuditEntry, Page } from '@tollgate/contracts';
import { currentCorrelationId } from '@tollgate/observability';
import { AuditEntryEntity } from '../entities';

export interface AuditRecord {
  tenantId: string | null;
  actor: Actor;
  action: string;
  before?: object | null;
  after?: object | null;
}

/** The append-only audit log (the database refuses UPDATE/DELETE/TRUNCATE). Cursor: the last id seen. */
export class AuditRepository {
  async append(em: EntityManager, record: AuditRecord): Promise<void> {
    await em.insert(AuditEntryEntity, {
      tenantId: record.tenantId,
      actorType: record.actor.type,
      actorId: record.actor.id,
      actorRole: record.actor.role ?? null,
      action: record.action,
      before: record.before ?? null,
      after: record.after ?? null,
      correlationId: currentCorrelationId() ?? null,
      at: new Date(),
    });
  }

  async list(
    em: EntityManager,
    tenantId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<AuditEntry>> {
    const query = em
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .where('a.tenant_id = :tenantId', { tenantId })
      .orderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      if (!/^\d{1,19}$/.test(cursor)) return { data: [], nextCursor: null };
      query.andWhere('a.id < :cursor', { cursor });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    return {
      data: page.map((row) => ({
        id: row.id,
        tenantId: row.tenantId,
        actor: {
          type: row.actorType as Actor['type'],
          id: row.actorId,
          ...(row.actorRole ? { role: row.actorRole as Actor['role'] } : {}),
        },
        action: row.action,
        before: row.before,
        after: row.after,
        correlationId: row.correlationId,
        at: row.at.toISOString(),
      })),
      nextCursor: rows.length > limit ? page[page.length - 1].id : null,
    };
  }
}
