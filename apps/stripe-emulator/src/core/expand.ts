/**
 * Stripe's `expand[]`: dotted paths whose id-valued leaves are replaced by the full object, walking through lists
 * (`data.product`) and up to four levels deep, as Stripe allows.
 */
import { clone } from './state';
import { invalidRequest } from './stripe-error';

export type Resolver = (id: string) => object | undefined;
/** Fields Stripe includes only when expanded (invoice.payments, checkout line_items): computed on demand. */
export type VirtualField = (node: Record<string, unknown>, key: string) => unknown;

export function applyExpand(
  value: unknown,
  paths: string[],
  resolve: Resolver,
  virtual: VirtualField,
): unknown {
  let result = clone(value);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4)
      throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
    result = expandPath(result, segments, path, resolve, virtual);
  }
  return result;
}

function expandPath(
  node: unknown,
  segments: string[],
  path: string,
  resolve: Resolver,
  virtual: VirtualField,
): unknown {
  if (segments.length === 0 || node === null || node === undefined) return node;
  if (Array.isArray(node)) return node.map((n) => expandPath(n, segments, path, resolve, virtual));
  if (typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const [head, ...rest] = segments;
  let child = head in record ? record[head] : virtual(record, head);
  if (child === undefined)
    throw invalidRequest(
      `This property cannot be expanded (${head}). You may want to try expanding 'data.${path}' instead.`,
      'expand',
    );
  if (typeof child === 'string') {
    const found = resolve(child);
    if (found) child = clone(found);
  }
  record[head] = expandPath(child, rest, path, resolve, virtual);
  return record;
}
