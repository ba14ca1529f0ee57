import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DeliveryEntity } from '../entities/delivery.entity';
import type { DeliveryDraft, DeliveryKey, DeliveryStore, LockedDelivery } from '../services/delivery.service';

/** notifications.deliveries: the row that makes each email happen once (services/delivery.service.ts). */
@Injectable()
export class DeliveryRepository implements DeliveryStore {
  constructor(private readonly dataSource: DataSource) {}

  async open(draft: DeliveryDraft): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(DeliveryEntity)
      .values({
        id: draft.id,
        tenantId: draft.tenantId,
        kind: draft.kind,
        cause: draft.cause,
        recipient: draft.recipient,
        subject: draft.subject,
        correlationId: draft.correlationId,
      })
      .orIgnore()
      .execute();
  }

  async withLocked<T>(key: DeliveryKey, work: (locked: LockedDelivery | null) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const record = await manager
        .getRepository(DeliveryEntity)
        .createQueryBuilder('d')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('d.tenant_id = :tenantId AND d.kind = :kind AND d.cause = :cause', key)
        .getOne();
      return work(record ? this.locked(manager, record) : null);
    });
  }

  private locked(manager: EntityManager, record: DeliveryEntity): LockedDelivery {
    return {
      record,
      markSent: async (sent) => {
        await manager.update(DeliveryEntity, record.id, {
          status: 'sent',
          attempts: () => 'attempts + 1',
          lastError: null,
          messageId: sent.messageId,
          recipient: sent.recipient,
          subject: sent.subject,
          sentAt: () => 'now()',
          updatedAt: () => 'now()',
        });
      },
      recordFailure: async (error, final) => {
        await manager.update(DeliveryEntity, record.id, {
          status: final ? 'failed' : 'pending',
          attempts: () => 'attempts + 1',
          lastError: error,
          updatedAt: () => 'now()',
        });
      },
    };
  }

  /** For operators and tests: the delivery of one (tenant, kind, cause), if any. */
  async find(key: DeliveryKey): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy(key);
  }
}
