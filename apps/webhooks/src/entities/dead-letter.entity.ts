import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeadLetterStatus = 'open' | 'replayed';

/**
 * A message some durable consumer gave up on, as published to `deadletter.v1.<consumer>`: the exact bytes,
 * the reason and where it came from. Unique per (consumer, original stream sequence), so a redelivered
 * dead letter is recorded once.
 */
@Entity({ name: 'dead_letters' })
@Check('CHK_dead_letters_status', `"status" IN ('open', 'replayed')`)
@Check('CHK_dead_letters_replayed_at', `("status" = 'replayed') = ("replayed_at" IS NOT NULL)`)
@Index('UQ_dead_letters_consumer_seq', ['consumer', 'originalSeq'], { unique: true })
@Index('IDX_dead_letters_status', ['status', 'id'])
export class DeadLetterEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_dead_letters' })
  id!: string;
  @Column('text') consumer!: string;
  /** The subject the message was originally published to; a replay publishes there again. */
  @Column('text') subject!: string;
  @Column('text') reason!: string;
  @Column('bytea') payload!: Buffer;
  @Column('jsonb') headers!: Record<string, string>;
  @Column('bigint', { name: 'original_seq', nullable: true }) originalSeq!: string | null;
  @Column('text') status!: DeadLetterStatus;
  @Column('integer', { name: 'replay_count', default: 0 }) replayCount!: number;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'replayed_at', nullable: true }) replayedAt!: Date | null;
}
