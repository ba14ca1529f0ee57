import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One email per (tenant, kind, cause): the unique key is what makes redelivered events harmless
 * (services/delivery.service.ts). A sent row always names its Message-ID and send time.
 */
@Entity({ name: 'deliveries' })
@Unique('UQ_deliveries_tenant_kind_cause', ['tenantId', 'kind', 'cause'])
@Check('CHK_deliveries_status', `"status" IN ('pending', 'sent', 'failed')`)
@Check(
  'CHK_deliveries_sent_complete',
  `"status" <> 'sent' OR ("sent_at" IS NOT NULL AND "message_id" IS NOT NULL)`,
)
@Index('IX_deliveries_status_updated_at', ['status', 'updatedAt'])
export class DeliveryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') kind!: string;
  @Column('text') cause!: string;
  @Column('text') recipient!: string;
  @Column('text') subject!: string;
  @Column('text', { default: 'pending' }) status!: DeliveryStatus;
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  /** The Message-ID header sent (derived from `id`, so every attempt carries the same one). */
  @Column('text', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
}
