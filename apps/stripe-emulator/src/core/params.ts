/**
 * Typed reading of Stripe-style form parameters (already parsed from `a[b]=c` / `items[0][price]=...` by qs).
 * Every malformed value becomes Stripe's 400 invalid_request_error naming the exact param, never a crash.
 */
import { invalidRequest, missingParam } from './stripe-error';

export type RawParams = Record<string, unknown>;

export class ParamReader {
  constructor(
    readonly raw: RawParams,
    private readonly prefix = '',
  ) {}

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${this.name(key)}`, this.name(key));
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw missingParam(this.name(key));
    return value;
  }

  /** Stripe treats an empty string as "unset this field". */
  nullableString(key: string): string | null | undefined {
    const value = this.string(key);
    return value === '' ? null : value;
  }

  int(key: string): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !/^-?\d+$/.test(value))
      throw invalidRequest(`Invalid integer: ${JSON.stringify(value)}`, this.name(key));
    return Number(value);
  }

  nonNegativeInt(key: string): number | undefined {
    const value = this.int(key);
    if (value !== undefined && value < 0)
      throw invalidRequest(`This value must be greater than or equal to 0.`, this.name(key));
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw invalidRequest(`Invalid boolean: ${JSON.stringify(value)}`, this.name(key));
  }

  enum<T extends string>(key: string, values: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value))
      throw invalidRequest(
        `Invalid ${this.name(key)}: must be one of ${values.join(', ')}`,
        this.name(key),
        'parameter_invalid_string',
      );
    return value as T;
  }

  /** `a[]=x&a[]=y`, `a[0]=x`, or a single value. */
  strings(key: string): string[] | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    const list = typeof value === 'string' ? (value === '' ? [] : [value]) : asArray(value);
    if (!list || list.some((v) => typeof v !== 'string'))
      throw invalidRequest(`Invalid array`, this.name(key));
    return list as string[];
  }

  /** Metadata: `undefined` untouched, `null` cleared (`metadata=`), otherwise keys to set ("" deletes a key). */
  metadata(key = 'metadata'): Record<string, string> | null | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalidRequest(`Invalid object`, this.name(key));
    for (const [k, v] of Object.entries(value))
      if (typeof v !== 'string')
        throw invalidRequest(`Invalid string: ${this.name(key)}[${k}]`, `${key}[${k}]`);
    return value as Record<string, string>;
  }

  child(key: string): ParamReader | undefined {
    const value = this.raw[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalidRequest(`Invalid object`, this.name(key));
    return new ParamReader(value as RawParams, this.name(key));
  }

  children(key: string): ParamReader[] | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    const list = asArray(value);
    if (!list) throw invalidRequest(`Invalid array`, this.name(key));
    return list.map((entry, i) => {
      if (typeof entry !== 'object' || entry === null)
        throw invalidRequest(`Invalid object`, `${this.name(key)}[${i}]`);
      return new ParamReader(entry as RawParams, `${this.name(key)}[${i}]`);
    });
  }

  /** A unix timestamp or the literal `now`. */
  timestamp(key: string, now: number): number | undefined {
    if (this.raw[key] === 'now') return now;
    return this.int(key);
  }
}

function asArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'object' && value !== null) {
    const entries: Array<[string, unknown]> = Object.entries(value as Record<string, unknown>);
    if (entries.every(([k]) => /^\d+$/.test(k)))
      return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  return undefined;
}

/** Applies a metadata update the way Stripe does: null clears, "" removes a key, anything else sets it. */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string> | null | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete next[k];
    else next[k] = v;
  }
  return next;
}
