import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Transactional outbox: domain events committed with their effect, published later by the relay. */
@Entity({ name: 'outbox' })
@Index('IDX_outbox_unpublished', ['createdAt'], { where: 'published_at IS NULL' })
@Index('IDX_outbox_published_at', ['publishedAt'], { where: 'published_at IS NOT NULL' })
export class OutboxMessageEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') subject!: string;
  @Column('jsonb') payload!: unknown;
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt!: Date | null;
}
