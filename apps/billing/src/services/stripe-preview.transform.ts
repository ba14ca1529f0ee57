/**
 * Stripe's invoice previews → the contract's ChangePreview. Pure, and it never does proration arithmetic:
 * every amount is one Stripe computed (an invoice's amount_due or total, or its lines as Stripe priced them).
 * - `immediate`: Stripe's preview of the invoice the change creates now (always_invoice), or null.
 * - `upcoming`: Stripe's preview of the next regular invoice (proration_behavior none when the change is
 *   invoiced now, so its pending prorations are not counted twice; create_prorations otherwise).
 */
import type Stripe from 'stripe';
import type { ChangePreview } from '@tollgate/contracts';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

export function previewLines(invoice: Stripe.Invoice): ChangePreview['lines'] {
  return (invoice.lines?.data ?? []).map((line) => ({
    description: line.description ?? '',
    amount: line.amount,
    proration:
      line.parent?.subscription_item_details?.proration ??
      line.parent?.invoice_item_details?.proration ??
      false,
    period: { start: iso(line.period.start), end: iso(line.period.end) },
  }));
}

export function changePreviewOf(input: {
  kind: ChangePreview['kind'];
  effectiveAt: Date;
  immediate: Stripe.Invoice | null;
  upcoming: Stripe.Invoice;
}): ChangePreview & { creditNow: number } {
  const { immediate, upcoming } = input;
  // What the next regular invoice bills: after an immediate invoice, its recurring lines only (the immediate
  // invoice absorbs the pending prorations); otherwise the whole preview, prorations included.
  const nextInvoiceTotal = immediate
    ? (upcoming.lines?.data ?? [])
        .filter((line) => !(line.parent?.subscription_item_details?.proration ?? false))
        .filter((line) => !line.parent?.invoice_item_details)
        .reduce((sum, line) => sum + line.amount, 0)
    : upcoming.total;
  return {
    kind: input.kind,
    currency: (immediate ?? upcoming).currency,
    amountDueNow: immediate ? immediate.amount_due : 0,
    creditNow: immediate && immediate.total < 0 ? -immediate.total : 0,
    nextInvoiceTotal,
    effectiveAt: input.effectiveAt.toISOString(),
    lines: previewLines(immediate ?? upcoming),
  };
}
