/**
 * Idempotency-Key on billing side effects (issue 9): the same key with the same body replays the first
 * response (status and body); the same key with another body or route answers 409 idempotency_conflict; a
 * request still in flight answers 409 idempotency_in_flight with Retry-After. Client errors (4xx) are kept
 * and replayed like successes; server errors and timeouts release the key so the client may retry.
 * Keys are scoped per tenant (per user for operators), so tenants cannot collide or probe each other.
 */
import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { Observable, from, lastValueFrom } from 'rxjs';
import { DomainError, ErrorCode } from '@tollgate/contracts';
import { toEnvelope } from '@tollgate/service-runtime';
import type { AuthedRequest } from '../guards/auth.guard';
import { IdempotencyRepository } from '../repositories/idempotency.repository';

const IDEMPOTENT_KEY = 'tollgate:idempotent';
export const Idempotent = () => SetMetadata(IDEMPOTENT_KEY, true);
export const IDEMPOTENCY_HEADER = 'idempotency-key';

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly repository: IdempotencyRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT_KEY, context.getHandler())) return next.handle();
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || key.length === 0 || key.length > 255)
      throw new DomainError(ErrorCode.ValidationFailed, 'Idempotency-Key must be 1 to 255 characters');
    return from(this.run(context, next, req, key));
  }

  private async run(
    context: ExecutionContext,
    next: CallHandler,
    req: AuthedRequest,
    key: string,
  ): Promise<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    const principal = req.principal!;
    const scope = principal.tenantId ?? `operator:${principal.userId}`;
    const route = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const hash = createHash('sha256')
      .update(`${route}\n${stableStringify(req.body)}`)
      .digest('hex');
    const existing = await this.repository.claim(scope, key, route, hash);
    if (existing) {
      if (existing.requestHash !== hash)
        throw new DomainError(
          ErrorCode.IdempotencyConflict,
          'Idempotency-Key was used with a different request',
        );
      if (existing.status === 'in_flight') {
        res.setHeader('Retry-After', '1');
        throw new DomainError(
          ErrorCode.IdempotencyInFlight,
          'a request with this Idempotency-Key is still in flight',
        );
      }
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(existing.responseStatus ?? 200);
      return existing.responseBody;
    }
    try {
      const body = await lastValueFrom(next.handle() as Observable<unknown>, { defaultValue: undefined });
      await this.repository.complete(scope, key, res.statusCode, body ?? null);
      return body;
    } catch (error) {
      const { status, body } = toEnvelope(error);
      if (status >= 500) await this.repository.release(scope, key);
      else await this.repository.complete(scope, key, status, body);
      throw error;
    }
  }
}
