import type Stripe from 'stripe';
import { changePreviewOf } from './stripe-preview.transform';

const line = (amount: number, proration: boolean, pending = false) =>
  ({
    description: proration ? 'Remaining time on Business' : '1 × Pro (at $29.00 / month)',
    amount,
    period: { start: 1_767_225_600, end: 1_769_904_000 },
    parent: pending
      ? { type: 'invoice_item_details', invoice_item_details: { proration }, subscription_item_details: null }
      : {
          type: 'subscription_item_details',
          subscription_item_details: { proration },
          invoice_item_details: null,
        },
  }) as unknown as Stripe.InvoiceLineItem;
const invoice = (lines: Stripe.InvoiceLineItem[], amountDue: number, total: number) =>
  ({ currency: 'usd', amount_due: amountDue, total, lines: { data: lines } }) as unknown as Stripe.Invoice;

describe('changePreviewOf', () => {
  const at = new Date('2026-01-16T12:00:00Z');

  it("takes the amount due now from Stripe's immediate invoice and the next total from its recurring lines", () => {
    const preview = changePreviewOf({
      kind: 'upgrade',
      effectiveAt: at,
      immediate: invoice([line(-1450, true), line(4950, true)], 3500, 3500),
      upcoming: invoice([line(-800, true, true), line(9900, false)], 9100, 9100),
    });
    expect(preview).toEqual({
      kind: 'upgrade',
      currency: 'usd',
      amountDueNow: 3500,
      creditNow: 0,
      nextInvoiceTotal: 9900,
      effectiveAt: at.toISOString(),
      lines: [
        expect.objectContaining({ amount: -1450, proration: true }),
        expect.objectContaining({ amount: 4950, proration: true }),
      ],
    });
    expect(preview.lines[0].period).toEqual({
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-02-01T00:00:00.000Z',
    });
  });

  it('reports a negative immediate invoice as credit, with nothing due', () => {
    const preview = changePreviewOf({
      kind: 'downgrade',
      effectiveAt: at,
      immediate: invoice([line(-4950, true), line(1450, true)], 0, -3500),
      upcoming: invoice([line(2900, false)], 0, 2900),
    });
    expect(preview).toMatchObject({ amountDueNow: 0, creditNow: 3500, nextInvoiceTotal: 2900 });
  });

  it('uses the whole upcoming invoice when nothing is invoiced now', () => {
    const preview = changePreviewOf({
      kind: 'seats',
      effectiveAt: at,
      immediate: null,
      upcoming: invoice([line(-400, true, true), line(2900, false)], 2500, 2500),
    });
    expect(preview).toMatchObject({ amountDueNow: 0, creditNow: 0, nextInvoiceTotal: 2500 });
    expect(preview.lines).toHaveLength(2);
  });
});
