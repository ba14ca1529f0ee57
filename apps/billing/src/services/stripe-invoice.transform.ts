/** Stripe invoice → the row billing keeps (integer minor units, never floats). Pure. */
import type Stripe from 'stripe';
import type { Invoice } from '@tollgate/contracts';
import { fromUnix, idOf } from './stripe-subscription.transform';

export interface InvoiceSnapshot {
  stripeInvoiceId: string;
  stripeCustomerId: string;
  stripeSubscriptionId: string | null;
  number: string | null;
  status: string;
  currency: string;
  total: number;
  amountDue: number;
  amountPaid: number;
  attemptCount: number;
  nextPaymentAttempt: Date | null;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  stripeCreatedAt: Date;
}

export function invoiceSnapshot(invoice: Stripe.Invoice): InvoiceSnapshot {
  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription ?? null);
  // The service period of a subscription invoice is its lines' period; the invoice's own period_* describe
  // what was billed in arrears (usage), which is zero-length for a first invoice.
  const lines = invoice.lines?.data ?? [];
  const starts = lines.map((l) => l.period?.start).filter((n): n is number => typeof n === 'number');
  const ends = lines.map((l) => l.period?.end).filter((n): n is number => typeof n === 'number');
  return {
    stripeInvoiceId: invoice.id,
    stripeCustomerId: idOf(invoice.customer)!,
    stripeSubscriptionId: subscriptionId,
    number: invoice.number ?? null,
    status: invoice.status ?? 'draft',
    currency: invoice.currency,
    total: invoice.total,
    amountDue: invoice.amount_due,
    amountPaid: invoice.amount_paid,
    attemptCount: invoice.attempt_count ?? 0,
    nextPaymentAttempt: fromUnix(invoice.next_payment_attempt),
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    invoicePdf: invoice.invoice_pdf ?? null,
    periodStart: fromUnix(starts.length > 0 ? Math.min(...starts) : invoice.period_start),
    periodEnd: fromUnix(ends.length > 0 ? Math.max(...ends) : invoice.period_end),
    stripeCreatedAt: new Date(invoice.created * 1000),
  };
}

/** The contract's Invoice view of a stored invoice. */
export function invoiceView(row: InvoiceSnapshot): Invoice {
  return {
    id: row.stripeInvoiceId,
    number: row.number,
    status: row.status,
    currency: row.currency,
    total: row.total,
    amountDue: row.amountDue,
    amountPaid: row.amountPaid,
    hostedInvoiceUrl: row.hostedInvoiceUrl,
    invoicePdf: row.invoicePdf,
    periodStart: row.periodStart?.toISOString() ?? null,
    periodEnd: row.periodEnd?.toISOString() ?? null,
    createdAt: row.stripeCreatedAt.toISOString(),
  };
}
