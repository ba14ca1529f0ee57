import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenants' })
@Index('UQ_tenants_stripe_customer_id', ['stripeCustomerId'], { unique: true })
export class TenantEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'billing_email' }) billingEmail!: string;
  @Column('text') locale!: string;
  @Column('text', { name: 'time_zone' }) timeZone!: string;
  @Column('text', { name: 'stripe_customer_id', nullable: true }) stripeCustomerId!: string | null;
  @Column('text', { name: 'test_clock', nullable: true }) testClock!: string | null;
  /** Brand and last 4 digits only: Tollgate never holds more card data than that. */
  @Column('text', { name: 'payment_method_id', nullable: true }) paymentMethodId!: string | null;
  @Column('text', { name: 'payment_method_brand', nullable: true }) paymentMethodBrand!: string | null;
  @Column('text', { name: 'payment_method_last4', nullable: true }) paymentMethodLast4!: string | null;
  /** Credit the customer holds at Stripe (minor units of the catalog currency; positive = credit). */
  @Column('integer', { name: 'credit_balance', default: 0 }) creditBalance!: number;
  /** Version of the last billing.subscription.changed.v1 emitted for this tenant (monotonic). */
  @Column('bigint', { name: 'state_version', default: 0 }) stateVersion!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
