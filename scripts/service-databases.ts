import type { ServiceDatabase } from '@tollgate/database';
import { billingDatabase } from '../apps/billing/src/database';
import { entitlementsDatabase } from '../apps/entitlements/src/database';
import { gatewayDatabase } from '../apps/gateway/src/database';
import { notificationsDatabase } from '../apps/notifications/src/database';
import { webhooksDatabase } from '../apps/webhooks/src/database';

/** Every schema of the one Tollgate database, in the order `npm run migrate` applies them. */
export const SERVICE_DATABASES: ServiceDatabase[] = [
  gatewayDatabase,
  webhooksDatabase,
  billingDatabase,
  entitlementsDatabase,
  notificationsDatabase,
];
