import type { MigrationInterface } from 'typeorm';
import { Reconciliation1767400000000 } from '../reconciliation/migrations/1767400000000-Reconciliation';
import { BillingInitial1767225600000 } from './1767225600000-BillingInitial';
import { TenantCreditBalance1767225700000 } from './1767225700000-TenantCreditBalance';
import { SubscriptionHold1767225800000 } from './1767225800000-SubscriptionHold';
import { PlanChangeIntents1767225900000 } from './1767225900000-PlanChangeIntents';
import { RetentionIndexes1767500000000 } from './1767500000000-RetentionIndexes';

/** Committed migrations of the `billing` schema, in order. Never edit one that has landed; add another. */
export const billingMigrations: (new () => MigrationInterface)[] = [
  BillingInitial1767225600000,
  TenantCreditBalance1767225700000,
  SubscriptionHold1767225800000,
  PlanChangeIntents1767225900000,
  Reconciliation1767400000000,
  RetentionIndexes1767500000000,
];
