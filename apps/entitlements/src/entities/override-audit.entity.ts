import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EntitlementOverride } from '@tollgate/contracts';

/** Append-only: every override set or cleared, by whom and why, with the before and after. */
@Entity({ name: 'override_audit' })
@Index('override_audit_tenant_at', ['tenantId', 'at'])
export class OverrideAuditEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) feature!: string;
  @Column({ type: 'text' }) action!: 'set' | 'cleared';
  @Column({ type: 'jsonb', nullable: true }) before!: EntitlementOverride | null;
  @Column({ type: 'jsonb', nullable: true }) after!: EntitlementOverride | null;
  @Column({ type: 'text' }) actor!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
}
