import { NOTIFICATION_KINDS, type NotificationKind } from '@tollgate/contracts';
import { renderNotification, type NotificationInput } from './notification.templates';
import { TemplateDataError } from './template-data';

const context = {
  billingUrl: 'https://app.example.test/billing',
  planNames: { pro: 'Pro', business: 'Business' },
};

/** The data billing sends for each kind (docs/notifications.md), with overrides per test. */
const sample: Record<NotificationKind, Record<string, unknown>> = {
  trial_started: { plan: 'pro', trialEndsAt: '2026-03-15T00:00:00Z' },
  trial_ending: { plan: 'pro', trialEndsAt: '2026-03-15T00:00:00Z' },
  payment_succeeded: {
    amount: 2900,
    currency: 'usd',
    invoiceNumber: 'INV-0001',
    hostedInvoiceUrl: 'https://invoice.stripe.test/i/in_1',
    invoicePdf: 'https://invoice.stripe.test/i/in_1/pdf',
    paidAt: '2026-03-01T12:00:00Z',
  },
  payment_failed: {
    amount: 2900,
    currency: 'usd',
    nextRetryAt: '2026-03-04T12:00:00Z',
    suspendsAt: '2026-03-08T12:00:00Z',
    cardBrand: 'visa',
    cardLast4: '4242',
  },
  payment_reminder: { amount: 2900, currency: 'usd', nextRetryAt: '2026-03-06T12:00:00Z' },
  payment_urgent: { amount: 2900, currency: 'usd', suspendsAt: '2026-03-08T12:00:00Z' },
  action_required: { amount: 2900, currency: 'usd', hostedInvoiceUrl: 'https://invoice.stripe.test/i/in_2' },
  suspended: { amount: 2900, currency: 'usd' },
  reactivated: { plan: 'pro' },
  plan_changed: { plan: 'business', previousPlan: 'pro', interval: 'month', amount: 7000, currency: 'usd' },
  canceled: { plan: 'pro', accessUntil: '2026-04-01T00:00:00Z' },
};

const render = (kind: NotificationKind, overrides: Partial<NotificationInput> = {}) =>
  renderNotification({ kind, locale: 'en-US', timeZone: 'UTC', data: sample[kind], ...overrides }, context);

describe('notification templates', () => {
  it.each(NOTIFICATION_KINDS.map((k) => [k]))('renders %s as a transactional text + HTML email', (kind) => {
    const email = render(kind);
    expect(email.subject.length).toBeGreaterThan(5);
    expect(email.subject).not.toMatch(/[\r\n]|undefined|NaN|null/);
    expect(email.text).not.toMatch(/undefined|NaN|null|\[object/);
    expect(email.html).toMatch(/^<!doctype html>/);
    expect(email.html).toContain('href="https://app.example.test/billing"');
    expect(email.text).toContain('https://app.example.test/billing');
    expect(email.transactional).toBe(true);
  });

  it('shows the receipt amount with the invoice currency in the tenant locale', () => {
    const de = render('payment_succeeded', {
      locale: 'de-DE',
      data: { ...sample.payment_succeeded, amount: 123456, currency: 'eur' },
    });
    expect(de.subject).toBe('Receipt for your payment of 1.234,56\u00a0€');
    expect(de.text).toContain('Amount paid: 1.234,56\u00a0€');
    const us = render('payment_succeeded', { data: { ...sample.payment_succeeded, amount: 123456 } });
    expect(us.subject).toBe('Receipt for your payment of $1,234.56');
    expect(us.text).toContain('Invoice: INV-0001');
    expect(us.text).toContain('Download PDF: https://invoice.stripe.test/i/in_1/pdf');
  });

  it("dates a trial end near midnight UTC on the tenant's own calendar day", () => {
    const data = { plan: 'pro', trialEndsAt: '2026-03-15T03:00:00Z' };
    expect(render('trial_ending', { data, timeZone: 'America/New_York' }).subject).toBe(
      'Your Pro trial ends on March 14, 2026',
    );
    expect(render('trial_ending', { data, timeZone: 'Europe/Berlin', locale: 'de-DE' }).subject).toBe(
      'Your Pro trial ends on 15. März 2026',
    );
    expect(render('trial_ending', { data, timeZone: 'America/New_York' }).text).toMatch(
      /March 14, 2026 at 11:00\sPM EDT/,
    );
  });

  it('tells a trial without a card to add one, and a trial with a card what it will be charged', () => {
    expect(render('trial_ending').text).toContain('Add a payment method before then to keep Pro');
    const withCard = render('trial_ending', {
      data: {
        ...sample.trial_ending,
        hasPaymentMethod: true,
        amount: 2900,
        currency: 'usd',
        cardBrand: 'visa',
        cardLast4: '4242',
      },
    });
    expect(withCard.text).toContain('Visa ending in 4242 will be charged $29.00');
  });

  it('escalates the three dunning emails and names the retry and suspension dates', () => {
    expect(render('payment_failed').subject).toBe('Payment of $29.00 failed');
    expect(render('payment_failed').text).toContain('We could not charge Visa ending in 4242 for $29.00.');
    expect(render('payment_failed').text).toMatch(/We will try again on March 4, 2026 at 12:00\sPM UTC/);
    expect(render('payment_reminder').subject).toBe('Reminder: your payment of $29.00 is still due');
    expect(render('payment_urgent').subject).toBe('Urgent: your account will be suspended on March 8, 2026');
  });

  it('promises no retry when billing knows of none (Stripe will not retry, or its date is not ahead)', () => {
    const email = render('payment_reminder', { data: { ...sample.payment_reminder, nextRetryAt: null } });
    expect(email.subject).toBe('Reminder: your payment of $29.00 is still due');
    expect(email.text).not.toMatch(/try again/);
    expect(email.html).not.toMatch(/try again/);
  });

  it('links the action-required email to the hosted invoice', () => {
    const email = render('action_required');
    expect(email.text).toContain('Confirm payment: https://invoice.stripe.test/i/in_2');
    expect(email.html).toContain('href="https://invoice.stripe.test/i/in_2"');
  });

  it('distinguishes a scheduled downgrade from an immediate change', () => {
    expect(render('plan_changed').subject).toBe('Your plan has changed to Business');
    expect(render('plan_changed').text).toContain('$70.00 was charged now');
    const scheduled = render('plan_changed', {
      data: { plan: 'pro', previousPlan: 'business', scheduled: true, effectiveAt: '2026-04-01T00:00:00Z' },
    });
    expect(scheduled.subject).toBe('Your plan changes to Pro on April 1, 2026');
    expect(scheduled.text).toContain('Until then you keep your current features.');
  });

  it('escapes every interpolated value in the HTML body and keeps header values on one line', () => {
    const email = render('payment_succeeded', {
      data: {
        ...sample.payment_succeeded,
        invoiceNumber: '<script>alert(1)</script>',
        tenantName: 'A & B "Co"',
      },
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('A &amp; B &quot;Co&quot;');
    const injected = render('plan_changed', { data: { plan: 'pro\r\nBcc: victim@evil.test' } });
    expect(injected.subject).not.toMatch(/[\r\n]/);
  });

  it('uses a billing link from the data over the default, but never a non-http one', () => {
    expect(
      render('reactivated', { data: { billingUrl: 'https://tenant.example.test/billing' } }).text,
    ).toContain('https://tenant.example.test/billing');
    expect(() => render('reactivated', { data: { billingUrl: 'javascript:alert(1)' } })).toThrow(
      TemplateDataError,
    );
  });

  it('refuses to render a payment email without its amount', () => {
    expect(() => render('payment_failed', { data: { currency: 'usd' } })).toThrow(
      'payment_failed: data.amount is required',
    );
  });

  it('falls back to en-US and UTC for a locale or time zone Intl does not know', () => {
    const email = render('payment_succeeded', { locale: 'zz-invalid-!', timeZone: 'Nowhere/Land' });
    expect(email.subject).toBe('Receipt for your payment of $29.00');
  });
});
