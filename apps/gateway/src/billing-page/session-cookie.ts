/**
 * The billing page's session: the same JWT the API accepts, handed over once as `?token=` and then kept in
 * an HTTP-only cookie that AuthGuard reads when a request has no Authorization header. The cookie never
 * outlives the token (Max-Age bounded by `exp`) and is capped at SESSION_MAX_AGE_SECONDS, so a long-lived
 * link token does not become a long-lived browser session. Secure whenever the request came over HTTPS
 * (directly, or through a proxy the gateway trusts: TRUST_PROXY=true and X-Forwarded-Proto).
 */
import type { CookieOptions, Request } from 'express';
import { decodeJwt } from 'jose';
import { SESSION_COOKIE } from '../guards/auth.guard';

export { SESSION_COOKIE };
export const SESSION_MAX_AGE_SECONDS = 12 * 3600;

/** Seconds the cookie may live: until the token expires, at most SESSION_MAX_AGE_SECONDS; 0 if expired. */
export function sessionMaxAgeSeconds(token: string, nowMs = Date.now()): number {
  const { exp } = decodeJwt(token);
  if (typeof exp !== 'number') return 0;
  return Math.max(0, Math.min(SESSION_MAX_AGE_SECONDS, Math.floor(exp - nowMs / 1000)));
}

export function sessionCookieOptions(req: Request, maxAgeSeconds: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    maxAge: maxAgeSeconds * 1000,
  };
}

export function clearSessionCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' };
}

export function sessionToken(req: Request): string | undefined {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const value = cookies?.[SESSION_COOKIE];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
