import type { ServiceDatabase } from '@tollgate/database';
import { DeadLetterEntity, StripeEventEntity } from './entities';
import { webhooksMigrations } from './migrations';

/** The `webhooks` schema: owned by the webhooks service alone. */
export const webhooksDatabase: ServiceDatabase = {
  schema: 'webhooks',
  entities: [StripeEventEntity, DeadLetterEntity],
  migrations: webhooksMigrations,
};
