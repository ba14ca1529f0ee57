import type Stripe from 'stripe';
import { invoiceSnapshot, invoiceView } from './stripe-invoice.transform';

const invoice = (overrides: Partial<Record<string, unknown>> = {}): Stripe.Invoice =>
  ({
    id: 'in_1',
    object: 'invoice',
    customer: 'cus_1',
    number: 'ABC-0001',
    status: 'paid',
    currency: 'usd',
    total: 2900,
    amount_due: 2900,
    amount_paid: 2900,
    attempt_count: 1,
    next_payment_attempt: null,
    hosted_invoice_url: 'https://invoice.example/in_1',
    invoice_pdf: 'https://invoice.example/in_1.pdf',
    period_start: 1_767_225_600,
    period_end: 1_767_225_600,
    created: 1_767_225_600,
    parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1' } },
    lines: { data: [{ period: { start: 1_767_225_600, end: 1_769_904_000 } }] },
    ...overrides,
  }) as unknown as Stripe.Invoice;

describe('invoiceSnapshot', () => {
  it('keeps integer minor units, the subscription and the service period from the lines', () => {
    expect(invoiceSnapshot(invoice())).toEqual({
      stripeInvoiceId: 'in_1',
      stripeCustomerId: 'cus_1',
      stripeSubscriptionId: 'sub_1',
      number: 'ABC-0001',
      status: 'paid',
      currency: 'usd',
      total: 2900,
      amountDue: 2900,
      amountPaid: 2900,
      attemptCount: 1,
      nextPaymentAttempt: null,
      hostedInvoiceUrl: 'https://invoice.example/in_1',
      invoicePdf: 'https://invoice.example/in_1.pdf',
      periodStart: new Date('2026-01-01T00:00:00Z'),
      periodEnd: new Date('2026-02-01T00:00:00Z'),
      stripeCreatedAt: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('handles an invoice without a subscription parent or lines', () => {
    const snap = invoiceSnapshot(
      invoice({
        parent: null,
        lines: { data: [] },
        customer: { id: 'cus_2' },
        next_payment_attempt: 1_767_484_800,
      }),
    );
    expect(snap).toMatchObject({
      stripeSubscriptionId: null,
      stripeCustomerId: 'cus_2',
      periodStart: new Date('2026-01-01T00:00:00Z'),
      nextPaymentAttempt: new Date('2026-01-04T00:00:00Z'),
    });
  });

  it('renders the contract view with ISO dates', () => {
    expect(invoiceView(invoiceSnapshot(invoice()))).toEqual({
      id: 'in_1',
      number: 'ABC-0001',
      status: 'paid',
      currency: 'usd',
      total: 2900,
      amountDue: 2900,
      amountPaid: 2900,
      hostedInvoiceUrl: 'https://invoice.example/in_1',
      invoicePdf: 'https://invoice.example/in_1.pdf',
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-02-01T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });
});
