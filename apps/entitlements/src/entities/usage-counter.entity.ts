import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** Usage of one feature in one window; a new window is a new row, so counters reset by construction. */
@Entity({ name: 'usage_counters' })
@Check('usage_counters_used_non_negative', '"used" >= 0')
export class UsageCounterEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) feature!: string;
  @PrimaryColumn({ name: 'window_start', type: 'timestamptz' }) windowStart!: Date;
  @Column({ type: 'bigint', default: 0 }) used!: string;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
