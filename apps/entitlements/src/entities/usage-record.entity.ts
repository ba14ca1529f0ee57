import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EntitlementDecision } from '@tollgate/contracts';

/** One recorded use per idempotency key: a retry answers the stored decision and counts nothing. */
@Entity({ name: 'usage_records' })
export class UsageRecordEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'idempotency_key', type: 'text' }) idempotencyKey!: string;
  @Column({ type: 'text' }) feature!: string;
  @Column({ type: 'integer' }) quantity!: number;
  @Column({ name: 'window_start', type: 'timestamptz' }) windowStart!: Date;
  @Column({ type: 'jsonb' }) decision!: EntitlementDecision;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
}
