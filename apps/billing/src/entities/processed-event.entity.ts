import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Effect dedupe: written in the same transaction as the effect of a Stripe event. */
@Entity({ name: 'processed_events' })
@Index('IDX_processed_events_processed_at', ['processedAt'])
export class ProcessedEventEntity {
  @PrimaryColumn('text', { name: 'event_id' }) eventId!: string;
  @Column('text') type!: string;
  @Column('text') outcome!: string;
  @Column('timestamptz', { name: 'processed_at' }) processedAt!: Date;
}
