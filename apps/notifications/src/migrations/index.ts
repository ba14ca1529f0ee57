import type { MigrationInterface } from 'typeorm';
import { NotificationsDeliveries1767600000000 } from './1767600000000-NotificationsDeliveries';

/** Committed migrations of the `notifications` schema, in order. Never edit one that has landed; add another. */
export const notificationsMigrations: (new () => MigrationInterface)[] = [
  NotificationsDeliveries1767600000000,
];
