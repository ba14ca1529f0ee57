import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type InboxStatus = 'received' | 'published' | 'ignored';
export type InboxSource = 'webhook' | 'catch_up';

/**
 * The inbox: one row per Stripe event id, ever. The primary key is the dedupe; a row in `received` has been
 * acknowledged to Stripe but not yet published to JetStream, and the relay owns it until it is.
 */
@Entity({ name: 'stripe_events' })
@Check('CHK_stripe_events_id', `"id" LIKE 'evt\\_%'`)
@Check('CHK_stripe_events_status', `"status" IN ('received', 'published', 'ignored')`)
@Check('CHK_stripe_events_source', `"source" IN ('webhook', 'catch_up')`)
@Check('CHK_stripe_events_published_at', `("status" = 'published') = ("published_at" IS NOT NULL)`)
@Index('IDX_stripe_events_relay', ['nextAttemptAt'], { where: `"status" = 'received'` })
@Index('IDX_stripe_events_received_at', ['receivedAt', 'id'])
export class StripeEventEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_stripe_events' }) id!: string;
  @Column('text') type!: string;
  @Column('boolean') livemode!: boolean;
  @Column('timestamptz', { name: 'stripe_created_at' }) stripeCreatedAt!: Date;
  @Column('jsonb') payload!: unknown;
  @Column('text') status!: InboxStatus;
  @Column('text') source!: InboxSource;
  @Column('timestamptz', { name: 'received_at', default: () => 'now()' }) receivedAt!: Date;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt!: Date | null;
  /** Publication attempts so far (the request's own attempt included). */
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true }) nextAttemptAt!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
}
