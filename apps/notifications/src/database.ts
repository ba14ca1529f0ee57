import type { ServiceDatabase } from '@tollgate/database';
import { DeliveryEntity } from './entities/delivery.entity';
import { notificationsMigrations } from './migrations';

/** The `notifications` schema: owned by the notifications service alone. */
export const notificationsDatabase: ServiceDatabase = {
  schema: 'notifications',
  entities: [DeliveryEntity],
  migrations: notificationsMigrations,
};
