import { STREAMS } from '@tollgate/contracts';
import type { ServiceDefinition } from '@tollgate/service-runtime';
import { entitlementsDatabase } from './database';
import { EntitlementsConfig } from './entitlements.config';
import { EntitlementsModule } from './entitlements.module';

/** Decisions over NATS (entitlements.check.v1 and friends); HTTP only for /health and /metrics. */
export const entitlementsDefinition: ServiceDefinition<EntitlementsConfig> = {
  name: 'entitlements',
  configSchema: EntitlementsConfig,
  port: (config) => config.ENTITLEMENTS_PORT,
  database: entitlementsDatabase,
  streams: [STREAMS.billingEvents, STREAMS.deadLetters],
  module: (platform) => EntitlementsModule.forRoot(platform),
};
