import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An operator's override of one feature for one tenant; at most one uncleared per (tenant, feature). */
@Entity({ name: 'entitlement_overrides' })
@Index('entitlement_overrides_one_live', ['tenantId', 'feature'], {
  unique: true,
  where: 'cleared_at IS NULL',
})
export class EntitlementOverrideEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) feature!: string;
  @Column({ type: 'boolean', nullable: true }) enabled!: boolean | null;
  @Column({ name: 'limit_value', type: 'integer', nullable: true }) limit!: number | null;
  @Column({ type: 'text', nullable: true }) enforcement!: 'soft' | 'hard' | null;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'created_by', type: 'text' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'cleared_at', type: 'timestamptz', nullable: true }) clearedAt!: Date | null;
}
