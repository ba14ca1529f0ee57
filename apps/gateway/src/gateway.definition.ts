import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceDefinition } from '@tollgate/service-runtime';
import { gatewayDatabase } from './database';
import { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { serveOpenApi } from './openapi';

export const gatewayDefinition: ServiceDefinition<GatewayConfig> = {
  name: 'gateway',
  configSchema: GatewayConfig,
  port: (config) => config.GATEWAY_PORT,
  database: gatewayDatabase,
  streams: [],
  bodyLimit: '64kb',
  module: (platform, config) => GatewayModule.register(platform, config),
  configure: (app, config) => {
    const express = app as NestExpressApplication;
    if (config.TRUST_PROXY === 'true') express.set('trust proxy', 1);
    express.use(helmet());
    express.use(cookieParser());
    serveOpenApi(app);
  },
};
