/**
 * Stripe's list object and cursor pagination: newest first, `limit` 1..100 (default 10), `starting_after` /
 * `ending_before` cursors by id, `has_more`.
 */
import type { ParamReader } from './params';
import { invalidRequest } from './stripe-error';

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export function paginate<T extends { id: string | null }>(
  newestFirst: T[],
  params: ParamReader,
  url: string,
): ListObject<T> {
  const limit = params.int('limit') ?? 10;
  if (limit < 1 || limit > 100)
    throw invalidRequest(
      'This value must be between 1 and 100 (inclusive).',
      'limit',
      'parameter_invalid_integer',
    );
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined) {
    const at = newestFirst.findIndex((o) => o.id === startingAfter);
    if (at < 0)
      throw invalidRequest(`No such object: '${startingAfter}'`, 'starting_after', 'resource_missing');
    const rest = newestFirst.slice(at + 1);
    return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (endingBefore !== undefined) {
    const at = newestFirst.findIndex((o) => o.id === endingBefore);
    if (at < 0)
      throw invalidRequest(`No such object: '${endingBefore}'`, 'ending_before', 'resource_missing');
    const before = newestFirst.slice(0, at);
    return { object: 'list', data: before.slice(-limit), has_more: before.length > limit, url };
  }
  return { object: 'list', data: newestFirst.slice(0, limit), has_more: newestFirst.length > limit, url };
}

/** `created[gte]=...` and friends, or `created=<ts>` exactly. */
export function matchesRange(value: number, params: ParamReader, key: string): boolean {
  const exact = params.raw[key];
  if (typeof exact === 'string') return value === params.int(key);
  const range = params.child(key);
  if (!range) return true;
  const gt = range.int('gt');
  const gte = range.int('gte');
  const lt = range.int('lt');
  const lte = range.int('lte');
  return (
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte)
  );
}
