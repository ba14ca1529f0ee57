/**
 * Rate limits (issue 9), through @nestjs/throttler: per client IP, per tenant (operators: per user), and a
 * stricter budget for billing writes, each over a one-minute window. Over a limit: 429 `rate_limited` with
 * `Retry-After` in seconds. Counters live in Postgres (RateLimitStorage), shared by every gateway replica, so
 * a limit holds in total however many replicas serve the client; if Postgres fails, each replica counts in its
 * own memory until it is back (fail-open, see docs/operations.md).
 * Each budget covers every route: the counter's key is the throttler and the tracker (IP, tenant, user), hashed
 * so no address or tenant id is stored in clear. (The library's default key also names the route, which would
 * give a client one budget per endpoint.)
 * Runs after authentication so the tenant is known; health, metrics and docs are not limited.
 */
import { createHash } from 'node:crypto';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '@tollgate/contracts';
import { PUBLIC_ROUTE } from '@tollgate/service-runtime';
import type { GatewayConfig } from '../gateway.config';
import type { AuthedRequest } from './auth.guard';

const MINUTE_MS = 60_000;

function principalKey(raw: Record<string, unknown>): string {
  const req = raw as unknown as AuthedRequest;
  const principal = req.principal;
  return principal ? (principal.tenantId ?? `operator:${principal.userId}`) : `ip:${req.ip}`;
}

function isBillingWrite(context: ExecutionContext): boolean {
  const req = context.switchToHttp().getRequest<Request>();
  return req.method !== 'GET' && req.path.startsWith('/v1/billing');
}

/** Without a storage, the library counts in this process's memory. */
export function rateLimitOptions(config: GatewayConfig, storage?: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    storage,
    throttlers: [
      {
        name: 'ip',
        ttl: MINUTE_MS,
        limit: config.RATE_LIMIT_IP_PER_MINUTE,
        getTracker: (req) => String((req as Request).ip),
      },
      {
        name: 'tenant',
        ttl: MINUTE_MS,
        limit: config.RATE_LIMIT_TENANT_PER_MINUTE,
        getTracker: principalKey,
      },
      {
        name: 'billing_writes',
        ttl: MINUTE_MS,
        limit: config.RATE_LIMIT_BILLING_WRITES_PER_MINUTE,
        getTracker: principalKey,
        skipIf: (context) => !isBillingWrite(context),
      },
    ],
  };
}

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override generateKey(_context: ExecutionContext, tracker: string, throttler: string): string {
    return createHash('sha256').update(`${throttler}:${tracker}`).digest('base64url');
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return (
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) ===
      true
    );
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    throw new DomainError(ErrorCode.RateLimited, 'too many requests', {
      retryAfterSeconds: retryAfter,
      limit: detail.limit,
    });
  }
}
