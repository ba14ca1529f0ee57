import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Interval, PlanId, SubscriptionState } from '@tollgate/contracts';
import { TenantEntity } from './tenant.entity';

/** Mirror of one Stripe subscription; Tollgate's state is derived by the state machine. */
@Entity({ name: 'subscriptions' })
@Index('UQ_subscriptions_one_live_per_tenant', ['tenantId'], {
  unique: true,
  where: `state IN ('trialing', 'active', 'past_due', 'suspended', 'canceled_pending')`,
})
@Index('IDX_subscriptions_tenant_id', ['tenantId', 'createdAt'])
@Index('IDX_subscriptions_scheduled', ['tenantId'], {
  where: `held_until IS NOT NULL OR dunning_stage IN ('payment_failed', 'reminder', 'urgent')`,
})
@Check(
  'CHK_subscriptions_state',
  `state IN ('none', 'trialing', 'active', 'past_due', 'suspended', 'canceled_pending', 'expired', 'canceled')`,
)
@Check('CHK_subscriptions_plan', `plan IN ('pro', 'business')`)
@Check('CHK_subscriptions_interval', `"interval" IN ('month', 'year')`)
@Check('CHK_subscriptions_purchased_seats', `purchased_seats >= 0`)
@Check(
  'CHK_subscriptions_hold',
  `(held_until IS NULL AND held_plan IS NULL AND held_interval IS NULL AND held_purchased_seats IS NULL) OR (held_until IS NOT NULL AND held_plan IN ('pro', 'business') AND held_interval IN ('month', 'year') AND held_purchased_seats >= 0)`,
)
@Check(
  'CHK_subscriptions_dunning_stage',
  `dunning_stage IN ('none', 'payment_failed', 'reminder', 'urgent', 'suspended')`,
)
export class SubscriptionEntity {
  @PrimaryColumn('text', { name: 'stripe_subscription_id' }) stripeSubscriptionId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @ManyToOne(() => TenantEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_subscriptions_tenant' })
  tenant?: TenantEntity;
  @Column('text', { name: 'stripe_customer_id' }) stripeCustomerId!: string;
  @Column('text') plan!: PlanId;
  @Column('text') interval!: Interval;
  @Column('text', { name: 'stripe_status' }) stripeStatus!: string;
  @Column('text') state!: SubscriptionState;
  @Column('integer', { name: 'purchased_seats' }) purchasedSeats!: number;
  @Column('timestamptz', { name: 'current_period_start', nullable: true }) currentPeriodStart!: Date | null;
  @Column('timestamptz', { name: 'current_period_end', nullable: true }) currentPeriodEnd!: Date | null;
  @Column('timestamptz', { name: 'trial_end', nullable: true }) trialEnd!: Date | null;
  @Column('timestamptz', { name: 'cancel_at', nullable: true }) cancelAt!: Date | null;
  @Column('boolean', { name: 'cancel_at_period_end' }) cancelAtPeriodEnd!: boolean;
  @Column('timestamptz', { name: 'canceled_at', nullable: true }) canceledAt!: Date | null;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt!: Date | null;
  @Column('text', { name: 'dunning_stage', default: 'none' }) dunningStage!: string;
  @Column('timestamptz', { name: 'dunning_since', nullable: true }) dunningSince!: Date | null;
  @Column('timestamptz', { name: 'next_retry_at', nullable: true }) nextRetryAt!: Date | null;
  /**
   * A downgrade waiting for the period end: Stripe's items (plan, interval, purchased_seats above) already
   * bill the new plan, while the plan paid for stays in force until `held_until` (docs/billing.md).
   */
  @Column('text', { name: 'held_plan', nullable: true }) heldPlan!: PlanId | null;
  @Column('text', { name: 'held_interval', nullable: true }) heldInterval!: Interval | null;
  @Column('integer', { name: 'held_purchased_seats', nullable: true }) heldPurchasedSeats!: number | null;
  @Column('timestamptz', { name: 'held_until', nullable: true }) heldUntil!: Date | null;
  /** `created` of the newest Stripe event applied; older events are refused (out-of-order guard). */
  @Column('timestamptz', { name: 'last_event_at' }) lastEventAt!: Date;
  @Column('text', { name: 'last_event_id' }) lastEventId!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
