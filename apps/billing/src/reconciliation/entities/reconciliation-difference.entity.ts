import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { DifferenceStatus, DriftKind } from '@tollgate/contracts';
import { ReconciliationRunEntity } from './reconciliation-run.entity';

/** One difference a run found between Stripe and Tollgate, and what became of it. */
@Entity({ name: 'reconciliation_differences' })
@Index('UQ_reconciliation_differences_run_object_kind', ['runId', 'objectType', 'objectId', 'kind'], {
  unique: true,
})
@Index('IDX_reconciliation_differences_object', ['objectType', 'objectId'])
@Check('CHK_reconciliation_differences_object_type', `object_type IN ('subscription', 'customer', 'invoice')`)
@Check(
  'CHK_reconciliation_differences_status',
  `status IN ('pending', 'repaired', 'superseded', 'reported', 'would_repair', 'failed')`,
)
export class ReconciliationDifferenceEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'run_id' }) runId!: string;
  @ManyToOne(() => ReconciliationRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_reconciliation_differences_run' })
  run?: ReconciliationRunEntity;
  @Column('text', { name: 'object_type' }) objectType!: 'subscription' | 'customer' | 'invoice';
  @Column('text', { name: 'object_id' }) objectId!: string;
  @Column('text', { name: 'tenant_id', nullable: true }) tenantId!: string | null;
  @Column('text', { name: 'stripe_customer_id', nullable: true }) stripeCustomerId!: string | null;
  @Column('text') kind!: DriftKind;
  /** Safe differences are repaired through the projection; the others are reported for an operator. */
  @Column('boolean') safe!: boolean;
  @Column('text') status!: DifferenceStatus;
  @Column('jsonb') detail!: Record<string, unknown>;
  /** The Stripe object as listed (the truth a repair applies), when there is one. */
  @Column('jsonb', { name: 'stripe_object', nullable: true }) stripeObject!: Record<string, unknown> | null;
  @Column('timestamptz', { name: 'observed_at' }) observedAt!: Date;
  /** When this same difference was first seen by a run (carried over while it stays unrepaired). */
  @Column('timestamptz', { name: 'first_seen_at' }) firstSeenAt!: Date;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
}
