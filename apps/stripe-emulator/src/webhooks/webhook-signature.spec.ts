import Stripe from 'stripe';
import { signPayload } from './webhook-signature';

describe('signPayload', () => {
  const stripe = new Stripe('sk_test_123');
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created' }, null, 2);

  it('makes a header the official constructEvent accepts', () => {
    const header = signPayload(payload, 'whsec_abc', Math.floor(Date.now() / 1000));
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_abc').id).toBe('evt_1');
  });

  it('is rejected under another secret or for a changed body', () => {
    const header = signPayload(payload, 'whsec_abc', Math.floor(Date.now() / 1000));
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow();
    expect(() => stripe.webhooks.constructEvent(`${payload} `, header, 'whsec_abc')).toThrow();
  });

  it('agrees with the SDK test-header generator byte for byte', () => {
    const timestamp = 1_700_000_000;
    const expected = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_abc', timestamp });
    expect(signPayload(payload, 'whsec_abc', timestamp)).toBe(expected);
  });
});
