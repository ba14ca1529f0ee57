import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ReconciliationRunEntity } from './reconciliation-run.entity';

/**
 * Stripe objects a run has listed, committed with each page's checkpoint: what is local but was never
 * listed is looked up one by one, and live subscriptions are grouped per customer to find duplicates.
 * Emptied when the run completes.
 */
@Entity({ name: 'reconciliation_seen' })
export class ReconciliationSeenEntity {
  @PrimaryColumn('uuid', { name: 'run_id' }) runId!: string;
  @ManyToOne(() => ReconciliationRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_reconciliation_seen_run' })
  run?: ReconciliationRunEntity;
  @PrimaryColumn('text', { name: 'object_type' }) objectType!: string;
  @PrimaryColumn('text', { name: 'object_id' }) objectId!: string;
  @Column('text', { name: 'stripe_customer_id', nullable: true }) stripeCustomerId!: string | null;
  @Column('boolean') live!: boolean;
}
