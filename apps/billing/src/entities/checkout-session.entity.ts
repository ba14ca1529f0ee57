import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TenantEntity } from './tenant.entity';

@Entity({ name: 'checkout_sessions' })
@Index('UQ_checkout_sessions_idempotency', ['tenantId', 'idempotencyKey'], { unique: true })
@Index('UQ_checkout_sessions_one_open_per_tenant', ['tenantId'], { unique: true, where: `status = 'open'` })
@Check('CHK_checkout_sessions_status', `status IN ('open', 'complete', 'expired')`)
export class CheckoutSessionEntity {
  @PrimaryColumn('text', { name: 'stripe_session_id' }) stripeSessionId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @ManyToOne(() => TenantEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_checkout_sessions_tenant' })
  tenant?: TenantEntity;
  @Column('text', { name: 'idempotency_key' }) idempotencyKey!: string;
  @Column('text') plan!: string;
  @Column('text') interval!: string;
  @Column('integer') seats!: number;
  @Column('text') status!: string;
  @Column('text') url!: string;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
