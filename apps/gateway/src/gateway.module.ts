import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
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
import { IdempotencyInterceptor } from './services/idempotency.interceptor';
import { TokenVerifier } from './services/token-verifier.service';

@Module({})
export class GatewayModule {
  static register(platform: DynamicModule, config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [platform, ThrottlerModule.forRoot(rateLimitOptions(config))],
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
