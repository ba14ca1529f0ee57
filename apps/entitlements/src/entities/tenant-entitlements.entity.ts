import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EntitlementSnapshot } from '@tollgate/contracts';

/** One row per tenant: the subscription facts last applied and the snapshot resolved from them. */
@Entity({ name: 'tenant_entitlements' })
export class TenantEntitlementsEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) plan!: string;
  @Column({ type: 'text', nullable: true }) interval!: string | null;
  @Column({ type: 'text' }) state!: string;
  @Column({ type: 'integer', default: 0 }) seats!: number;
  @Column({ name: 'period_start', type: 'timestamptz', nullable: true }) periodStart!: Date | null;
  @Column({ name: 'period_end', type: 'timestamptz', nullable: true }) periodEnd!: Date | null;
  @Column({ name: 'grace_until', type: 'timestamptz', nullable: true }) graceUntil!: Date | null;
  /** Version of the last billing.subscription.changed.v1 applied; older events are ignored. */
  @Column({ name: 'subscription_version', type: 'bigint', default: 0 }) subscriptionVersion!: string;
  /** Increases on every recompute; the snapshot's `version` and the invalidation's. */
  @Column({ type: 'bigint', default: 0 }) revision!: string;
  @Column({ type: 'jsonb' }) snapshot!: EntitlementSnapshot;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
