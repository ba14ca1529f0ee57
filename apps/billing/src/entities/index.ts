import { AuditEntryEntity } from './audit-entry.entity';
import { CheckoutSessionEntity } from './checkout-session.entity';
import { InvoiceEntity } from './invoice.entity';
import { MemberEntity } from './member.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { PlanChangeIntentEntity } from './plan-change-intent.entity';
import { PriceEntity } from './price.entity';
import { ProcessedEventEntity } from './processed-event.entity';
import { SubscriptionEntity } from './subscription.entity';
import { TenantEntity } from './tenant.entity';

export {
  AuditEntryEntity,
  CheckoutSessionEntity,
  InvoiceEntity,
  MemberEntity,
  OutboxMessageEntity,
  PlanChangeIntentEntity,
  PriceEntity,
  ProcessedEventEntity,
  SubscriptionEntity,
  TenantEntity,
};

export const billingEntities = [
  TenantEntity,
  PriceEntity,
  AuditEntryEntity,
  SubscriptionEntity,
  InvoiceEntity,
  ProcessedEventEntity,
  OutboxMessageEntity,
  CheckoutSessionEntity,
  MemberEntity,
  PlanChangeIntentEntity,
];
