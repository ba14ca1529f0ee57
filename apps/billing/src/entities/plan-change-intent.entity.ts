import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Actor, Interval, PlanId } from '@tollgate/contracts';
import { SubscriptionEntity } from './subscription.entity';

/**
 * A plan change recorded before its Stripe call (docs/billing.md, "Plan changes"): what Stripe is asked to bill,
 * and the plan held in force after it. Committed on its own, so a crash between Stripe's answer and billing's
 * commit leaves it for the retry or the webhook to finish; deleted when the change is written or abandoned.
 */
@Entity({ name: 'plan_change_intents' })
@Check('CHK_plan_change_intents_plan', `plan IN ('pro', 'business')`)
@Check('CHK_plan_change_intents_interval', `"interval" IN ('month', 'year')`)
@Check(
  'CHK_plan_change_intents_hold',
  `(held_until IS NULL AND held_plan IS NULL AND held_interval IS NULL AND held_purchased_seats IS NULL) OR (held_until IS NOT NULL AND held_plan IN ('pro', 'business') AND held_interval IN ('month', 'year') AND held_purchased_seats >= 0)`,
)
export class PlanChangeIntentEntity {
  @PrimaryColumn('text', {
    name: 'stripe_subscription_id',
    primaryKeyConstraintName: 'PK_plan_change_intents',
  })
  stripeSubscriptionId!: string;
  @ManyToOne(() => SubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'stripe_subscription_id',
    foreignKeyConstraintName: 'FK_plan_change_intents_subscription',
  })
  subscription?: SubscriptionEntity;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  /** The caller's Idempotency-Key and its hash (the Stripe call's key and the change's cause derive from it). */
  @Column('text', { name: 'idempotency_key' }) idempotencyKey!: string;
  @PrimaryColumn('text', { name: 'key_hash', primaryKeyConstraintName: 'PK_plan_change_intents' })
  keyHash!: string;
  @Column('text') kind!: string;
  /** What Stripe is asked to bill. */
  @Column('text') plan!: PlanId;
  @Column('text') interval!: Interval;
  @Column('integer', { name: 'purchased_seats' }) purchasedSeats!: number;
  @Column('integer') seats!: number;
  @Column('boolean', { name: 'invoices_now' }) invoicesNow!: boolean;
  /** The plan kept in force afterwards (a downgrade's hold), as the subscription's held_* columns. */
  @Column('text', { name: 'held_plan', nullable: true }) heldPlan!: PlanId | null;
  @Column('text', { name: 'held_interval', nullable: true }) heldInterval!: Interval | null;
  @Column('integer', { name: 'held_purchased_seats', nullable: true }) heldPurchasedSeats!: number | null;
  @Column('timestamptz', { name: 'held_until', nullable: true }) heldUntil!: Date | null;
  /** Stripe's time of the change, the plan and state in force before it, and who asked. */
  @Column('timestamptz') at!: Date;
  @Column('jsonb') before!: { plan: PlanId; interval: Interval; purchasedSeats: number; state: string };
  @Column('jsonb') actor!: Actor;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
