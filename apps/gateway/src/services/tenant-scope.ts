import { DomainError, ErrorCode } from '@tollgate/contracts';
import type { Principal } from './principal';

/**
 * The tenant a request acts on. Tenant roles act on their own tenant only: naming another one answers
 * 404 not_found, exactly as if it did not exist. Operators must name the tenant (`?tenantId=`).
 */
export function tenantScope(principal: Principal, requested?: string): string {
  if (principal.tenantId !== null) {
    if (requested !== undefined && requested !== principal.tenantId)
      throw new DomainError(ErrorCode.NotFound, 'tenant not found');
    return principal.tenantId;
  }
  if (!requested)
    throw new DomainError(ErrorCode.ValidationFailed, 'operators must name the tenant with ?tenantId=');
  return requested;
}
