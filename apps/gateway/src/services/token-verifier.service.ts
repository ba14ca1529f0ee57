/**
 * JWT verification: HS256 with AUTH_JWT_SECRET, or RS256 with keys from AUTH_JWKS_URL (jose caches the set
 * and refetches on an unknown kid, which is how key rotation works). Claims per CONTRACT.md: sub, role, exp
 * required; tid required for every role but operator, and absent for operators.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DomainError, ErrorCode, ROLES, type Role } from '@tollgate/contracts';
import { CONFIG } from '@tollgate/service-runtime';
import type { GatewayConfig } from '../gateway.config';
import type { Principal } from './principal';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

@Injectable()
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {
    if (config.AUTH_JWKS_URL)
      this.jwks = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), {
        cooldownDuration: config.AUTH_JWKS_COOLDOWN_MS,
      });
    else this.secret = new TextEncoder().encode(config.AUTH_JWT_SECRET);
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: this.jwks ? ['RS256'] : ['HS256'],
        requiredClaims: ['exp', 'sub'],
        ...(this.config.AUTH_JWT_ISSUER ? { issuer: this.config.AUTH_JWT_ISSUER } : {}),
        ...(this.config.AUTH_JWT_AUDIENCE ? { audience: this.config.AUTH_JWT_AUDIENCE } : {}),
      };
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, options)).payload
        : (await jwtVerify(token, this.secret!, options)).payload;
    } catch (error) {
      throw new DomainError(ErrorCode.Unauthenticated, `invalid token: ${(error as Error).message}`);
    }
    return principalFromClaims(payload);
  }
}

export function principalFromClaims(payload: JWTPayload): Principal {
  const role = payload.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role))
    throw new DomainError(ErrorCode.Unauthenticated, `token role must be one of ${ROLES.join(', ')}`);
  if (typeof payload.sub !== 'string' || payload.sub.length === 0)
    throw new DomainError(ErrorCode.Unauthenticated, 'token has no subject');
  const tid = payload.tid;
  if (role === 'operator') {
    if (tid !== undefined && tid !== null)
      throw new DomainError(ErrorCode.Unauthenticated, 'operator tokens carry no tid');
    return { userId: payload.sub, role, tenantId: null };
  }
  if (typeof tid !== 'string' || !TENANT_ID.test(tid))
    throw new DomainError(ErrorCode.Unauthenticated, 'token has no valid tenant (tid)');
  return { userId: payload.sub, role: role as Role, tenantId: tid };
}
