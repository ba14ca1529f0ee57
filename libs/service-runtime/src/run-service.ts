/**
 * Boots a Tollgate service: validated config (every bad variable named, then exit 1), optional migrations,
 * the Nest app with the platform module, correlation ids on HTTP, graceful shutdown on SIGTERM/SIGINT.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { StreamDefinition } from '@tollgate/contracts';
import { ConfigError, loadConfig, type PlatformConfig } from '@tollgate/config';
import { migrate, type ServiceDatabase } from '@tollgate/database';
import { Header } from '@tollgate/contracts';
import {
  Metrics,
  PinoNestLogger,
  createLogger,
  newCorrelationId,
  sanitizeCorrelationId,
  withCorrelation,
} from '@tollgate/observability';
import type { Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { EnvelopeExceptionFilter } from './error.filter';
import { PlatformModule } from './platform.module';

export interface ServiceDefinition<C extends PlatformConfig> {
  name: string;
  configSchema: new () => C;
  port: (config: C) => number;
  database?: ServiceDatabase;
  streams: readonly StreamDefinition[];
  /** The service's own module, given the platform module to import. */
  module: (platform: DynamicModule, config: C, logger: Logger) => DynamicModule;
  readiness?: Provider;
  /** Keep the raw request body (webhook signatures are computed over the raw bytes). */
  rawBody?: boolean;
  bodyLimit?: string;
  /**
   * Runs before the JSON and form body parsers are installed: a route that must read its own raw body (the
   * Stripe webhook, which refuses an oversized body before anything parses or hashes it) mounts itself here.
   */
  beforeBodyParsers?: (app: NestExpressApplication, config: C) => void;
  configure?: (app: INestApplication, config: C) => void | Promise<void>;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Port to listen on instead of the configured one (0: any free port). */
  port?: number;
  /** Install SIGTERM/SIGINT handlers (processes yes, in-process tests no). */
  signals?: boolean;
}

export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const correlationId = sanitizeCorrelationId(req.headers[Header.CorrelationId]) ?? newCorrelationId();
  res.setHeader(Header.CorrelationId, correlationId);
  withCorrelation(correlationId, next);
}

export async function runService<C extends PlatformConfig>(
  definition: ServiceDefinition<C>,
  options: RunOptions = {},
): Promise<INestApplication> {
  const env = options.env ?? process.env;
  const logger = createLogger(definition.name, env.LOG_LEVEL ?? 'info');
  let config: C;
  try {
    config = loadConfig(definition.name, definition.configSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, 'invalid configuration');
      process.stderr.write(`${error.message}\n`);
    }
    throw error;
  }
  if (definition.database && config.MIGRATE_ON_START === 'true') {
    const applied = await migrate(definition.database, config.DATABASE_URL);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const metrics = new Metrics(definition.name);
  const platform = PlatformModule.forRoot({
    service: definition.name,
    config,
    logger,
    metrics,
    database: definition.database,
    streams: definition.streams,
    readiness: definition.readiness,
  });
  const app = await NestFactory.create<NestExpressApplication>(definition.module(platform, config, logger), {
    logger: new PinoNestLogger(logger),
    rawBody: definition.rawBody ?? false,
    bodyParser: true,
    abortOnError: false,
  });
  definition.beforeBodyParsers?.(app, config);
  app.useBodyParser('json', { limit: definition.bodyLimit ?? '256kb' });
  app.useBodyParser('urlencoded', { limit: definition.bodyLimit ?? '256kb', extended: true });
  app.use(correlationMiddleware);
  app.useGlobalFilters(new EnvelopeExceptionFilter(logger));
  app.enableShutdownHooks();
  await definition.configure?.(app, config);
  const port = options.port ?? definition.port(config);
  await app.listen(port, '0.0.0.0');
  logger.info({ port: (app.getHttpServer() as { address(): { port: number } }).address().port }, 'listening');
  if (options.signals) {
    // Nest's shutdown hooks close the app; exit once it has, or after the grace period in any case.
    const exitAfterClose = () => {
      setTimeout(() => process.exit(0), config.SHUTDOWN_GRACE_MS + 2000).unref();
    };
    process.once('SIGTERM', exitAfterClose);
    process.once('SIGINT', exitAfterClose);
  }
  return app;
}

/** Entry point helper for `main.ts`: run, and exit 1 with the reason when boot fails. */
export function main<C extends PlatformConfig>(definition: ServiceDefinition<C>): void {
  runService(definition, { signals: true }).catch((error: unknown) => {
    if (!(error instanceof ConfigError))
      process.stderr.write(`${definition.name} failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
