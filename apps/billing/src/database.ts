import type { ServiceDatabase } from '@tollgate/database';
import { billingEntities } from './entities';
import { billingMigrations } from './migrations';
import { reconciliationEntities } from './reconciliation/entities';

/** The `billing` schema: owned by the billing service alone. */
export const billingDatabase: ServiceDatabase = {
  schema: 'billing',
  entities: [...billingEntities, ...reconciliationEntities],
  migrations: billingMigrations,
};
