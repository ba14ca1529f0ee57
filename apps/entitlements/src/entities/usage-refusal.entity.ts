import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An attempt refused because it would have passed a hard limit; nothing was counted for it. */
@Entity({ name: 'usage_refusals' })
@Index('usage_refusals_window', ['tenantId', 'feature', 'windowStart'])
export class UsageRefusalEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) feature!: string;
  @Column({ name: 'window_start', type: 'timestamptz' }) windowStart!: Date;
  @Column({ type: 'integer' }) quantity!: number;
  @Column({ type: 'bigint' }) used!: string;
  @Column({ name: 'limit_value', type: 'integer' }) limit!: number;
  @Column({ name: 'idempotency_key', type: 'text' }) idempotencyKey!: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
}
