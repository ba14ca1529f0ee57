import { parseStripeEventEnvelope } from './stripe-event-envelope.transform';

const event = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'evt_1Abc',
    object: 'event',
    type: 'invoice.paid',
    created: 1_767_300_000,
    livemode: false,
    data: { object: {} },
    ...overrides,
  });

describe('parseStripeEventEnvelope', () => {
  it('extracts id, type, created and livemode, and nothing else', () => {
    const parsed = parseStripeEventEnvelope(Buffer.from(event({ livemode: true })));
    expect(parsed).toEqual({
      id: 'evt_1Abc',
      type: 'invoice.paid',
      livemode: true,
      created: 1_767_300_000,
    });
  });

  it.each([
    ['not JSON', '{"id":', 'body is not JSON'],
    ['an array', '[]', 'event is not an object'],
    ['another object', event({ object: 'customer' }), 'object is not an event'],
    ['a non-event id', event({ id: 'cus_1' }), 'id is not an evt_ id'],
    ['no type', event({ type: undefined }), 'type is missing or malformed'],
    ['a malformed type', event({ type: 'Invoice Paid' }), 'type is missing or malformed'],
    ['a string created', event({ created: '2026-01-01' }), 'created is not a unix timestamp'],
  ])('refuses %s', (_what, raw, reason) => {
    expect(parseStripeEventEnvelope(raw)).toEqual({ invalid: reason });
  });
});
