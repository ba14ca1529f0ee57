import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The Stripe price currently serving each catalog lookup key (written by the catalog sync). */
@Entity({ name: 'prices' })
@Index('UQ_prices_stripe_price_id', ['stripePriceId'], { unique: true })
export class PriceEntity {
  @PrimaryColumn('text', { name: 'lookup_key' }) lookupKey!: string;
  @Column('text', { name: 'stripe_price_id' }) stripePriceId!: string;
  @Column('text', { name: 'stripe_product_id' }) stripeProductId!: string;
  @Column('integer') amount!: number;
  @Column('text') currency!: string;
  @Column('text') interval!: string;
  @Column('text', { name: 'catalog_version' }) catalogVersion!: string;
  @Column('timestamptz', { name: 'synced_at' }) syncedAt!: Date;
}
