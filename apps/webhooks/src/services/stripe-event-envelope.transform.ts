/**
 * The few fields of a verified Stripe event the inbox needs. The payload itself stays the raw bytes it came
 * as: the parsed tree is dropped as soon as these fields are read, so it never outlives the request's first
 * tick (kept across the insert's await, thousands of them per second made young-generation GC pauses the
 * largest part of the ack latency's tail). Pure: bytes in, envelope (or the reason it is not one) out.
 */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  livemode: boolean;
  /** Unix seconds, as Stripe sends it. */
  created: number;
}

const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

export function parseStripeEventEnvelope(raw: Buffer | string): StripeEventEnvelope | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { invalid: 'body is not JSON' };
  }
  return toStripeEventEnvelope(value);
}

export function toStripeEventEnvelope(value: unknown): StripeEventEnvelope | { invalid: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { invalid: 'event is not an object' };
  const event = value as Record<string, unknown>;
  if (event.object !== undefined && event.object !== 'event') return { invalid: 'object is not an event' };
  if (typeof event.id !== 'string' || !EVENT_ID.test(event.id)) return { invalid: 'id is not an evt_ id' };
  if (typeof event.type !== 'string' || event.type.length > 200 || !EVENT_TYPE.test(event.type))
    return { invalid: 'type is missing or malformed' };
  if (typeof event.created !== 'number' || !Number.isSafeInteger(event.created) || event.created < 0)
    return { invalid: 'created is not a unix timestamp' };
  return {
    id: event.id,
    type: event.type,
    livemode: event.livemode === true,
    created: event.created,
  };
}

export function isInvalid(value: StripeEventEnvelope | { invalid: string }): value is { invalid: string } {
  return 'invalid' in value;
}
