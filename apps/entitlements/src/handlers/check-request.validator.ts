/**
 * Fast boundary validation of `entitlements.check.v1`, the one request on every product request's path.
 * It accepts only requests the CheckRequest DTO accepts (a spec holds it to that); anything else goes through
 * class-validator as every other message does, which accepts the rare odd-but-valid shape or refuses it with
 * the usual field-by-field error.
 */
import { FEATURE_KEY_PATTERN, type CheckRequest } from '@tollgate/contracts';

export function fastCheckRequest(value: unknown): CheckRequest | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const candidate = value as Record<string, unknown>;
  let keys = 0;
  for (const key in candidate) {
    if (key !== 'tenantId' && key !== 'feature' && key !== 'quantity') return undefined;
    keys += 1;
  }
  const { tenantId, feature, quantity } = candidate;
  if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 64) return undefined;
  if (typeof feature !== 'string' || feature.length > 64 || !FEATURE_KEY_PATTERN.test(feature))
    return undefined;
  if (quantity === undefined) return keys === 2 ? { tenantId, feature } : undefined;
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 1_000_000_000)
    return undefined;
  return { tenantId, feature, quantity: quantity as number };
}
