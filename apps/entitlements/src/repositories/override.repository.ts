import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { EntitlementOverride, OverrideAuditEntry } from '@tollgate/contracts';
import { EntitlementOverrideEntity } from '../entities/entitlement-override.entity';
import { OverrideAuditEntity } from '../entities/override-audit.entity';

export function toOverride(entity: EntitlementOverrideEntity): EntitlementOverride {
  return {
    id: entity.id,
    tenantId: entity.tenantId,
    feature: entity.feature,
    enabled: entity.enabled,
    limit: entity.limit,
    enforcement: entity.enforcement,
    expiresAt: entity.expiresAt ? entity.expiresAt.toISOString() : null,
    reason: entity.reason,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt.toISOString(),
    clearedAt: entity.clearedAt ? entity.clearedAt.toISOString() : null,
  };
}

export interface NewOverride {
  tenantId: string;
  feature: string;
  enabled: boolean | null;
  limit: number | null;
  enforcement: 'soft' | 'hard' | null;
  expiresAt: Date | null;
  reason: string;
  actor: string;
}

/** Operator overrides and their append-only audit trail. */
@Injectable()
export class OverrideRepository {
  constructor(private readonly ds: DataSource) {}

  /** Uncleared overrides (the resolver skips expired ones). */
  live(manager: EntityManager, tenantId: string): Promise<EntitlementOverrideEntity[]> {
    return manager.getRepository(EntitlementOverrideEntity).findBy({ tenantId, clearedAt: IsNull() });
  }

  /** Replaces the live override of (tenant, feature), if any, and audits the change. */
  async set(manager: EntityManager, input: NewOverride): Promise<EntitlementOverride> {
    const repo = manager.getRepository(EntitlementOverrideEntity);
    const previous = await repo.findOneBy({
      tenantId: input.tenantId,
      feature: input.feature,
      clearedAt: IsNull(),
    });
    if (previous) await repo.update({ id: previous.id }, { clearedAt: new Date() });
    const created = await repo.save(
      repo.create({
        id: randomUUID(),
        tenantId: input.tenantId,
        feature: input.feature,
        enabled: input.enabled,
        limit: input.limit,
        enforcement: input.enforcement,
        expiresAt: input.expiresAt,
        reason: input.reason,
        createdBy: input.actor,
        clearedAt: null,
      }),
    );
    const after = toOverride(created);
    await this.audit(
      manager,
      input.tenantId,
      input.feature,
      'set',
      previous ? toOverride(previous) : null,
      after,
      input,
    );
    return after;
  }

  /** Clears the live override of (tenant, feature); false when there was none. */
  async clear(
    manager: EntityManager,
    input: { tenantId: string; feature: string; reason: string; actor: string },
  ): Promise<boolean> {
    const repo = manager.getRepository(EntitlementOverrideEntity);
    const previous = await repo.findOneBy({
      tenantId: input.tenantId,
      feature: input.feature,
      clearedAt: IsNull(),
    });
    if (!previous) return false;
    await repo.update({ id: previous.id }, { clearedAt: new Date() });
    await this.audit(manager, input.tenantId, input.feature, 'cleared', toOverride(previous), null, input);
    return true;
  }

  async list(tenantId: string): Promise<{ overrides: EntitlementOverride[]; audit: OverrideAuditEntry[] }> {
    const overrides = await this.ds
      .getRepository(EntitlementOverrideEntity)
      .find({ where: { tenantId }, order: { createdAt: 'DESC' }, take: 500 });
    const audit = await this.ds
      .getRepository(OverrideAuditEntity)
      .find({ where: { tenantId }, order: { id: 'DESC' }, take: 500 });
    return {
      overrides: overrides.map(toOverride),
      audit: audit.map((row) => ({
        id: row.id,
        tenantId: row.tenantId,
        feature: row.feature,
        action: row.action,
        before: row.before,
        after: row.after,
        actor: row.actor,
        reason: row.reason,
        at: row.at.toISOString(),
      })),
    };
  }

  private async audit(
    manager: EntityManager,
    tenantId: string,
    feature: string,
    action: 'set' | 'cleared',
    before: EntitlementOverride | null,
    after: EntitlementOverride | null,
    who: { reason: string; actor: string },
  ): Promise<void> {
    await manager
      .getRepository(OverrideAuditEntity)
      .insert({ tenantId, feature, action, before, after, actor: who.actor, reason: who.reason });
  }
}
