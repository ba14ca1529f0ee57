import { DEFAULT_EVENT_ALLOWLIST } from '../webhooks.config';
import { EventAllowlist } from './event-allowlist';

describe('EventAllowlist', () => {
  it('covers the families Tollgate handles by default', () => {
    const allowlist = new EventAllowlist(DEFAULT_EVENT_ALLOWLIST.split(','));
    for (const type of [
      'checkout.session.completed',
      'customer.created',
      'customer.subscription.updated',
      'invoice.paid',
      'invoice.payment_failed',
      'invoice_payment.paid',
      'payment_method.attached',
      'payment_intent.succeeded',
    ])
      expect(allowlist.allows(type)).toBe(true);
    for (const type of ['charge.succeeded', 'product.created', 'invoiceitem.created', 'customers.created'])
      expect(allowlist.allows(type)).toBe(false);
  });

  it('matches exact types only exactly', () => {
    const allowlist = new EventAllowlist(['invoice.paid']);
    expect(allowlist.allows('invoice.paid')).toBe(true);
    expect(allowlist.allows('invoice.paid_out')).toBe(false);
  });

  it('lets * allow everything', () => {
    expect(new EventAllowlist(['*']).allows('anything.at.all')).toBe(true);
  });
});
