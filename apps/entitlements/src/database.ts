import type { ServiceDatabase } from '@tollgate/database';
import { EntitlementOverrideEntity } from './entities/entitlement-override.entity';
import { OverrideAuditEntity } from './entities/override-audit.entity';
import { TenantEntitlementsEntity } from './entities/tenant-entitlements.entity';
import { UsageCounterEntity } from './entities/usage-counter.entity';
import { UsageRecordEntity } from './entities/usage-record.entity';
import { UsageRefusalEntity } from './entities/usage-refusal.entity';
import { entitlementsMigrations } from './migrations';

/** The `entitlements` schema: owned by the entitlements service alone. */
export const entitlementsDatabase: ServiceDatabase = {
  schema: 'entitlements',
  entities: [
    TenantEntitlementsEntity,
    EntitlementOverrideEntity,
    OverrideAuditEntity,
    UsageCounterEntity,
    UsageRecordEntity,
    UsageRefusalEntity,
  ],
  migrations: entitlementsMigrations,
};
