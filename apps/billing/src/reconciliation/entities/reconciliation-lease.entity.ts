import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A lease row per kind of exclusive work: whoever holds an unexpired lease works; heartbeats extend it. */
@Entity({ name: 'reconciliation_leases' })
export class ReconciliationLeaseEntity {
  @PrimaryColumn('text') name!: string;
  @Column('text') holder!: string;
  @Column('uuid', { name: 'run_id', nullable: true }) runId!: string | null;
  @Column('timestamptz', { name: 'acquired_at' }) acquiredAt!: Date;
  @Column('timestamptz', { name: 'heartbeat_at' }) heartbeatAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
}
