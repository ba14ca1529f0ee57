import { STREAMS } from '@tollgate/contracts';
import type { ServiceDefinition } from '@tollgate/service-runtime';
import { notificationsDatabase } from './database';
import { NotificationsConfig } from './notifications.config';
import { NotificationsModule } from './notifications.module';

/**
 * The notifications service: emails for billing's `billing.notification.requested.v1` events, exactly once
 * per (tenant, kind, cause). HTTP only for /health, /health/ready, /health/smtp and /metrics.
 */
export const notificationsDefinition: ServiceDefinition<NotificationsConfig> = {
  name: 'notifications',
  configSchema: NotificationsConfig,
  port: (config) => config.NOTIFICATIONS_PORT,
  database: notificationsDatabase,
  streams: [STREAMS.billingEvents, STREAMS.deadLetters],
  module: (platform, config) => NotificationsModule.forRoot(platform, config),
};
