import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ReconciliationReport } from '@tollgate/contracts';

/** Per-phase checkpoint: the last Stripe id of the last page committed (a `starting_after` cursor). */
export interface PhaseProgress {
  cursor: string | null;
  done: boolean;
  pages: number;
  objects: number;
}

export interface RunProgress {
  catchUp?: ReconciliationReport['catchUp'];
  /** Unix seconds: invoices created since then are compared (fixed at start so a resumed walk is the same). */
  invoicesSince?: number;
  phases: Record<string, PhaseProgress>;
  stripeRequests: number;
  rateLimited: number;
}

/** One reconciliation run: its checkpoints while it runs, its report once it is done. */
@Entity({ name: 'reconciliation_runs' })
@Index('IDX_reconciliation_runs_started_at', ['startedAt'])
@Check('CHK_reconciliation_runs_status', `status IN ('running', 'completed', 'failed')`)
export class ReconciliationRunEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') status!: 'running' | 'completed' | 'failed';
  @Column('boolean', { name: 'dry_run' }) dryRun!: boolean;
  @Column('text') trigger!: string;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @Column('integer', { default: 1 }) attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('jsonb') progress!: RunProgress;
  @Column('jsonb', { nullable: true }) report!: ReconciliationReport | null;
}
