/**
 * CSRF policy for the session cookie. A request that authenticates with the `tollgate_session` cookie (no
 * Authorization header) and is not a safe method must carry `X-Tollgate-CSRF: 1`. A cross-site form cannot
 * set a custom header, and a cross-site fetch that sets one needs a CORS preflight the gateway never grants,
 * so only the billing page's own script can write. SameSite=Strict on the cookie is a second line, not the
 * only one. Bearer clients are not cookie-authenticated and are untouched.
 */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '@tollgate/contracts';
import { sessionToken } from './session-cookie';

export const CSRF_HEADER = 'x-tollgate-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfRefusal(req: Request): DomainError | null {
  if (SAFE_METHODS.has(req.method)) return null;
  if (req.headers.authorization !== undefined) return null;
  if (!sessionToken(req)) return null;
  if (req.headers[CSRF_HEADER] === '1') return null;
  return new DomainError(
    ErrorCode.Forbidden,
    'a write authenticated by the session cookie must carry the X-Tollgate-CSRF: 1 header',
    { reason: 'csrf_header_missing' },
  );
}

@Injectable()
export class CookieCsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const refusal = csrfRefusal(context.switchToHttp().getRequest<Request>());
    if (refusal) throw refusal;
    return true;
  }
}
