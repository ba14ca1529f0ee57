import { TemplateData, TemplateDataError } from './template-data';

const data = (raw: Record<string, unknown>) => new TemplateData('payment_failed', raw);

describe('TemplateData', () => {
  it('reads money as integer minor units with an upper-cased currency', () => {
    expect(data({ amount: 2900, currency: 'usd' }).money()).toEqual({ amount: 2900, currency: 'USD' });
    expect(data({}).optionalMoney()).toBeUndefined();
  });

  it('refuses fractional amounts, a missing currency and a bad currency code, naming the field', () => {
    expect(() => data({ amount: 29.5, currency: 'usd' }).money()).toThrow(
      'payment_failed: data.amount must be an integer',
    );
    expect(() => data({ amount: 2900 }).money()).toThrow('data.currency is required');
    expect(() => data({ amount: 2900, currency: 'dollars' }).money()).toThrow(
      'data.currency must be an ISO 4217',
    );
    expect(() => data({}).money()).toThrow(TemplateDataError);
  });

  it('reads ISO dates and refuses anything else', () => {
    expect(data({ at: '2026-03-01T04:30:00Z' }).date('at').toISOString()).toBe('2026-03-01T04:30:00.000Z');
    expect(() => data({ at: 'tomorrow' }).date('at')).toThrow('data.at must be an ISO 8601 date-time');
    expect(() => data({ at: 1767225600 }).date('at')).toThrow('data.at must be a string');
  });

  it('lets only absolute http(s) links through', () => {
    expect(data({ u: 'https://pay.stripe.test/i/1' }).optionalUrl('u')).toBe('https://pay.stripe.test/i/1');
    expect(() => data({ u: 'javascript:alert(1)' }).optionalUrl('u')).toThrow('must be an http(s) URL');
    expect(() => data({ u: '/billing' }).optionalUrl('u')).toThrow('must be an absolute URL');
  });

  it('treats null and empty strings as absent', () => {
    expect(data({ s: null, t: '' }).optionalString('s')).toBeUndefined();
    expect(data({ s: null, t: '' }).optionalString('t')).toBeUndefined();
    expect(() => data({ s: null }).string('s')).toThrow('data.s is required');
  });
});
