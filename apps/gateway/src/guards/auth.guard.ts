/**
 * Authentication and the role matrix of CONTRACT.md, on every route that is not marked @Public().
 * Role checks answer 403 only for a role that can never do the action; anything about another tenant's
 * objects answers 404 (see TenantResolver), so existence never leaks.
 */
import {
  Injectable,
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, ErrorCode, type Role } from '@tollgate/contracts';
import { PUBLIC_ROUTE } from '@tollgate/service-runtime';
import type { Principal } from '../services/principal';
import { TokenVerifier } from '../services/token-verifier.service';

const ROLES_KEY = 'tollgate:roles';
export const SESSION_COOKIE = 'tollgate_session';

export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export type AuthedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new DomainError(ErrorCode.Unauthenticated, 'not signed in');
  return principal;
});

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  const cookies = req.cookies as Record<string, string> | undefined;
  return cookies?.[SESSION_COOKIE];
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const token = bearerToken(req);
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'missing bearer token');
    const principal = await this.verifier.verify(token);
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role))
      throw new DomainError(ErrorCode.Forbidden, `role ${principal.role} may not do this`);
    return true;
  }
}
