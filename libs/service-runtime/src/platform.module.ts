import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type Provider,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { StreamDefinition } from '@tollgate/contracts';
import type { PlatformConfig } from '@tollgate/config';
import { dataSourceOptions, type ServiceDatabase } from '@tollgate/database';
import { NatsBus } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import {
  EXTRA_READINESS,
  HAS_DATABASE,
  HealthController,
  MetricsController,
  STREAMS_USED,
} from './health.controller';
import { CONFIG, LOGGER, SERVICE_NAME } from './tokens';

export interface PlatformOptions {
  service: string;
  config: PlatformConfig;
  logger: Logger;
  metrics: Metrics;
  database?: ServiceDatabase;
  streams: readonly StreamDefinition[];
  /** Providers of ReadinessCheck[] under EXTRA_READINESS, if the service has more to check. */
  readiness?: Provider;
}

/** Drains NATS before the database pool closes: in-flight handlers still have their connections. */
@Injectable()
class BusLifecycle implements BeforeApplicationShutdown {
  constructor(
    private readonly bus: NatsBus,
    @Inject(CONFIG) private readonly config: PlatformConfig,
  ) {}
  async beforeApplicationShutdown(): Promise<void> {
    await this.bus.close(this.config.SHUTDOWN_GRACE_MS);
  }
}

/**
 * What every service has: config, logger, metrics, the NATS bus (streams ensured), its Postgres schema,
 * `/health`, `/health/ready`, `/metrics`, and graceful shutdown.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config, database } = options;
    const providers: Provider[] = [
      { provide: SERVICE_NAME, useValue: options.service },
      { provide: CONFIG, useValue: config },
      { provide: LOGGER, useValue: options.logger },
      { provide: Metrics, useValue: options.metrics },
      { provide: STREAMS_USED, useValue: options.streams },
      { provide: HAS_DATABASE, useValue: Boolean(database) },
      options.readiness ?? { provide: EXTRA_READINESS, useValue: [] },
      {
        provide: NatsBus,
        useFactory: async () => {
          const bus = await NatsBus.connect({
            url: config.NATS_URL,
            name: options.service,
            namespace: config.NATS_NAMESPACE,
            requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS,
            streamReplicas: config.NATS_STREAM_REPLICAS,
            logger: options.logger,
          });
          await bus.ensureStreams(options.streams);
          return bus;
        },
      },
      BusLifecycle,
    ];
    return {
      module: PlatformModule,
      global: true,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        ...(database
          ? [
              TypeOrmModule.forRoot({
                ...dataSourceOptions(database, config.DATABASE_URL, {
                  poolSize: config.DATABASE_POOL_SIZE,
                  applicationName: `tollgate-${options.service}`,
                }),
                retryAttempts: 3,
                retryDelay: 1000,
              }),
            ]
          : []),
      ],
      controllers: [HealthController, MetricsController],
      providers,
      exports: [SERVICE_NAME, CONFIG, LOGGER, Metrics, NatsBus, STREAMS_USED],
    };
  }
}
