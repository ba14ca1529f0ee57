import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Logger } from 'pino';
import { Metrics } from '@tollgate/observability';
import { LOGGER } from '@tollgate/service-runtime';
import type { GatewayConfig } from './gateway.config';
import { RateLimitGuard, rateLimitOptions } from './guards/rate-limit.guard';
import { BillingController } from './controllers/billing.controller';
import { EntitlementsController } from './controllers/entitlements.controller';
import { OperatorController } from './controllers/operator.controller';
import { PlansController } from './controllers/plans.controller';
import { TenantsController } from './controllers/tenants.controller';
import { BillingPageController } from './billing-page/billing-page.controller';
import { CookieCsrfGuard } from './billing-page/csrf.guard';
import { AuthGuard } from './guards/auth.guard';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { IdempotencyRetention } from './services/idempotency-retention.service';
import { RateLimitCounterRepository } from './repositories/rate-limit-counter.repository';
import { IdempotencyInterceptor } from './services/idempotency.interceptor';
import { RateLimitStorage } from './services/rate-limit.storage';
import { TokenVerifier } from './services/token-verifier.service';

@Module({})
export class GatewayModule {
  static register(platform: DynamicModule, config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        platform,
        // forRootAsync only to reach the logger and metrics; the storage option is what makes limits shared.
        // The throttler module calls the storage's shutdown hook (timer, pool).
        ThrottlerModule.forRootAsync({
          inject: [LOGGER, Metrics],
          useFactory: (logger: Logger, metrics: Metrics) =>
            rateLimitOptions(
              config,
              new RateLimitStorage(
                new RateLimitCounterRepository(config.DATABASE_URL, { timeoutMs: 1_000, poolSize: 5 }),
                logger,
                metrics.counter(
                  'rate_limit_memory_fallbacks_total',
                  "Hits counted in one replica's memory because Postgres failed (rate-limit fail-open)",
                ),
              ),
            ),
        }),
      ],
      controllers: [
        TenantsController,
        PlansController,
        BillingController,
        EntitlementsController,
        OperatorController,
        BillingPageController,
      ],
      providers: [
        TokenVerifier,
        IdempotencyRepository,
        IdempotencyRetention,
        { provide: APP_GUARD, useClass: CookieCsrfGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
        },
      ],
    };
  }
}
