import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EntitlementSnapshot, Interval, PlanId, SubscriptionState } from '@tollgate/contracts';
import { TenantEntitlementsEntity } from '../entities/tenant-entitlements.entity';
import type { SubscriptionFacts } from '../services/snapshot-resolver';

export interface TenantRow {
  facts: SubscriptionFacts | null;
  subscriptionVersion: number;
  revision: number;
  snapshot: EntitlementSnapshot;
}

function toRow(entity: TenantEntitlementsEntity): TenantRow {
  return {
    facts:
      entity.state === 'none'
        ? null
        : {
            tenantId: entity.tenantId,
            plan: entity.plan as PlanId,
            interval: entity.interval as Interval | null,
            state: entity.state as SubscriptionState,
            seats: entity.seats,
            periodStart: entity.periodStart,
            periodEnd: entity.periodEnd,
            graceUntil: entity.graceUntil,
          },
    subscriptionVersion: Number(entity.subscriptionVersion),
    revision: Number(entity.revision),
    snapshot: entity.snapshot,
  };
}

/** Tenants' subscription facts and persisted snapshots. Writers hold the tenant's lock (one writer at a time). */
@Injectable()
export class TenantEntitlementsRepository {
  constructor(private readonly ds: DataSource) {}

  async find(tenantId: string): Promise<TenantRow | null> {
    const entity = await this.ds.getRepository(TenantEntitlementsEntity).findOneBy({ tenantId });
    return entity ? toRow(entity) : null;
  }

  /** Runs `work` in a transaction holding the tenant's advisory lock, so recomputes never interleave. */
  async locked<T>(
    tenantId: string,
    work: (manager: EntityManager, row: TenantRow | null) => Promise<T>,
  ): Promise<T> {
    return this.ds.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7011))`, [tenantId]);
      const entity = await manager.getRepository(TenantEntitlementsEntity).findOneBy({ tenantId });
      return work(manager, entity ? toRow(entity) : null);
    });
  }

  async save(
    manager: EntityManager,
    tenantId: string,
    facts: SubscriptionFacts | null,
    subscriptionVersion: number,
    snapshot: EntitlementSnapshot,
  ): Promise<void> {
    await manager.getRepository(TenantEntitlementsEntity).upsert(
      {
        tenantId,
        plan: facts?.plan ?? snapshot.plan,
        interval: facts?.interval ?? null,
        state: facts?.state ?? 'none',
        seats: facts?.seats ?? 0,
        periodStart: facts?.periodStart ?? null,
        periodEnd: facts?.periodEnd ?? null,
        graceUntil: facts?.graceUntil ?? null,
        subscriptionVersion: String(subscriptionVersion),
        revision: String(snapshot.version),
        snapshot,
        updatedAt: new Date(),
      },
      ['tenantId'],
    );
  }
}
