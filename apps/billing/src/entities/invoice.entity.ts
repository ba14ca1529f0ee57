import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TenantEntity } from './tenant.entity';

@Entity({ name: 'invoices' })
@Index('IDX_invoices_tenant_id', ['tenantId', 'stripeCreatedAt'])
@Check('CHK_invoices_amounts', `amount_due >= 0 AND amount_paid >= 0`)
export class InvoiceEntity {
  @PrimaryColumn('text', { name: 'stripe_invoice_id' }) stripeInvoiceId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @ManyToOne(() => TenantEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_invoices_tenant' })
  tenant?: TenantEntity;
  @Column('text', { name: 'stripe_customer_id' }) stripeCustomerId!: string;
  @Column('text', { name: 'stripe_subscription_id', nullable: true }) stripeSubscriptionId!: string | null;
  @Column('text', { nullable: true }) number!: string | null;
  @Column('text') status!: string;
  @Column('text') currency!: string;
  /** Integer minor units of `currency`. */
  @Column('integer') total!: number;
  @Column('integer', { name: 'amount_due' }) amountDue!: number;
  @Column('integer', { name: 'amount_paid' }) amountPaid!: number;
  @Column('integer', { name: 'attempt_count' }) attemptCount!: number;
  @Column('timestamptz', { name: 'next_payment_attempt', nullable: true }) nextPaymentAttempt!: Date | null;
  @Column('text', { name: 'hosted_invoice_url', nullable: true }) hostedInvoiceUrl!: string | null;
  @Column('text', { name: 'invoice_pdf', nullable: true }) invoicePdf!: string | null;
  @Column('timestamptz', { name: 'period_start', nullable: true }) periodStart!: Date | null;
  @Column('timestamptz', { name: 'period_end', nullable: true }) periodEnd!: Date | null;
  @Column('timestamptz', { name: 'stripe_created_at' }) stripeCreatedAt!: Date;
  @Column('timestamptz', { name: 'last_event_at' }) lastEventAt!: Date;
}
