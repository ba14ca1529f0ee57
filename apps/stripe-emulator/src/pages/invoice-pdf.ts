/** A real PDF for invoice_pdf, drawn with pdfkit from the invoice object. */
import PDFDocument from 'pdfkit';
import type Stripe from 'stripe';
import { formatMoney } from '../billing/subscription-change';

export function renderInvoicePdf(invoice: Stripe.Invoice): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: `Invoice ${invoice.number ?? invoice.id}` },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const money = (amount: number) => formatMoney(amount, invoice.currency);
    const day = (ts: number) => new Date(ts * 1000).toISOString().slice(0, 10);
    doc.fontSize(20).text('Invoice', { align: 'left' });
    doc.moveDown(0.5).fontSize(10);
    doc.text(`Invoice number: ${invoice.number ?? '(draft)'}`);
    doc.text(`Date of issue: ${day(invoice.status_transitions.finalized_at ?? invoice.created)}`);
    doc.text(`Status: ${invoice.status ?? 'draft'}`);
    doc.text(`Bill to: ${invoice.customer_name ?? ''} ${invoice.customer_email ?? ''}`.trim());
    doc.moveDown();
    doc
      .fontSize(11)
      .text('Description', 50, doc.y, { continued: true, width: 380 })
      .text('Amount', { align: 'right' });
    doc.moveDown(0.3).fontSize(10);
    for (const line of invoice.lines.data) {
      const y = doc.y;
      doc.text(line.description ?? '', 50, y, { width: 380 });
      const after = doc.y;
      doc.text(money(line.amount), 430, y, { width: 115, align: 'right' });
      doc.y = Math.max(after, doc.y);
      doc.text(`${day(line.period.start)} – ${day(line.period.end)}`, 50, doc.y, { width: 380 });
      doc.moveDown(0.3);
    }
    doc.moveDown();
    const totals: Array<[string, number]> = [
      ['Subtotal', invoice.subtotal],
      ['Total', invoice.total],
      ['Applied balance', invoice.total - invoice.amount_due],
      ['Amount due', invoice.amount_due],
      ['Amount paid', invoice.amount_paid],
    ];
    for (const [label, amount] of totals) doc.text(`${label}: ${money(amount)}`, { align: 'right' });
    doc.end();
  });
}
