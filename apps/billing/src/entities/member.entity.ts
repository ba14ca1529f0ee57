import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TenantEntity } from './tenant.entity';

/** Each member uses one seat. */
@Entity({ name: 'members' })
export class MemberEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'user_id' }) userId!: string;
  @ManyToOne(() => TenantEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_members_tenant' })
  tenant?: TenantEntity;
  @Column('text') email!: string;
  @Column('timestamptz', { name: 'added_at' }) addedAt!: Date;
}
