/**
 * Invoices as Stripe runs them: draft → finalized (numbered, customer balance applied, hosted URL and PDF) →
 * a payment attempt → paid, or open with the next retry scheduled. Subscription consequences of a payment
 * outcome are not decided here; they are reported to whoever registered `onPaymentOutcome`.
 */
import type Stripe from 'stripe';
import { idOf, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { clone } from '../core/state';
import { cardError, invalidRequest, StripeApiError } from '../core/stripe-error';
import { buildInvoice, buildInvoicePayment, buildLineItem } from './object-builders';
import { testCardFor, type ChargeOutcome } from './test-cards';

export type PaymentResult =
  | { kind: 'paid' }
  | {
      kind: 'failed';
      outcome: Exclude<ChargeOutcome, { kind: 'succeeded' }> | { kind: 'no_payment_method' };
    };

export interface PaymentOptions {
  /** A customer present on a page can pass 3-D Secure; a background renewal cannot. */
  offSession: boolean;
  paymentMethod?: string;
  authenticated?: boolean;
}

export class InvoiceService {
  onPaymentOutcome: (
    invoice: Stripe.Invoice,
    result: PaymentResult,
    now: number,
    offSession: boolean,
  ) => void = () => undefined;

  /**
   * When the next automatic attempt at a failed invoice will be (null: none left), or undefined when the
   * invoice is not retried automatically. Asked before the failure is announced, because Stripe's
   * invoice.payment_failed already carries next_payment_attempt.
   */
  nextAttemptAt: (invoice: Stripe.Invoice, now: number, offSession: boolean) => number | null | undefined =
    () => undefined;

  constructor(private readonly ctx: EmulatorContext) {}

  create(input: {
    customer: Stripe.Customer;
    subscription: Stripe.Subscription | null;
    billingReason: Stripe.Invoice.BillingReason;
    periodStart: number;
    periodEnd: number;
    now: number;
    autoAdvance: boolean;
    includePendingItems: boolean;
    metadata?: Record<string, string>;
    description?: string | null;
  }): Stripe.Invoice {
    const invoice = buildInvoice({
      id: newId('in_1'),
      customer: input.customer,
      created: input.now,
      currency: input.subscription?.currency ?? 'usd',
      billingReason: input.billingReason,
      subscription: input.subscription,
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      autoAdvance: input.autoAdvance,
      baseUrl: this.ctx.publicUrl(),
      metadata: input.metadata ?? {},
      description: input.description ?? null,
    });
    this.ctx.data.invoices[invoice.id] = invoice;
    if (input.includePendingItems) this.attachPendingItems(invoice, input.subscription?.id ?? null);
    this.recompute(invoice);
    return invoice;
  }

  /** Emits invoice.created; separate from create() so callers can add lines first, as Stripe does atomically. */
  announce(invoice: Stripe.Invoice, now: number): void {
    this.recompute(invoice);
    this.ctx.emit('invoice.created', invoice, now);
  }

  addLine(
    invoice: Stripe.Invoice,
    line: {
      amount: number;
      description: string;
      quantity: number;
      unitAmount: number | null;
      price: Stripe.Price | null;
      periodStart: number;
      periodEnd: number;
      proration: boolean;
      subscriptionItem: string | null;
      invoiceItem: string | null;
    },
  ): void {
    const subscription = invoice.parent?.subscription_details
      ? idOf(invoice.parent.subscription_details.subscription)
      : null;
    invoice.lines.data.push(
      buildLineItem({
        id: newId('il_1'),
        invoice: invoice.id,
        amount: line.amount,
        currency: invoice.currency,
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        price: line.price?.id ?? null,
        product: line.price ? idOf(line.price.product) : null,
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        proration: line.proration,
        subscription,
        subscriptionItem: line.subscriptionItem,
        invoiceItem: line.invoiceItem,
        metadata: {},
      }),
    );
    this.recompute(invoice);
  }

  /** Pending invoice items of the customer (for this subscription, or without one) move onto the invoice. */
  attachPendingItems(invoice: Stripe.Invoice, subscriptionId: string | null): void {
    const customer = idOf(invoice.customer);
    for (const item of Object.values(this.ctx.data.invoiceItems)) {
      if (item.invoice !== null || idOf(item.customer) !== customer) continue;
      const itemSubscription = item.parent?.subscription_details?.subscription ?? null;
      if (itemSubscription !== null && itemSubscription !== subscriptionId) continue;
      item.invoice = invoice.id;
      const price = item.pricing?.price_details
        ? this.ctx.data.prices[idOf(item.pricing.price_details.price) ?? '']
        : undefined;
      this.addLine(invoice, {
        amount: item.amount,
        description: item.description ?? 'Invoice item',
        quantity: item.quantity,
        unitAmount: item.pricing?.unit_amount_decimal ? Number(item.pricing.unit_amount_decimal) : null,
        price: price ?? null,
        periodStart: item.period.start,
        periodEnd: item.period.end,
        proration: item.proration,
        subscriptionItem: item.parent?.subscription_details?.subscription_item ?? null,
        invoiceItem: item.id,
      });
    }
  }

  recompute(invoice: Stripe.Invoice): void {
    const total = invoice.lines.data.reduce((sum, line) => sum + line.amount, 0);
    invoice.subtotal = total;
    invoice.subtotal_excluding_tax = total;
    invoice.total = total;
    invoice.total_excluding_tax = total;
    if (invoice.status === 'draft') {
      invoice.amount_due = Math.max(0, total);
      invoice.amount_remaining = invoice.amount_due;
    }
  }

  /** Draft → open: numbers it, applies the customer's balance, publishes its hosted page and PDF. */
  finalize(invoice: Stripe.Invoice, now: number): void {
    if (invoice.status !== 'draft')
      throw invalidRequest(
        `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
        undefined,
        'invoice_not_editable',
      );
    const customer = this.ctx.require('customers', idOf(invoice.customer) ?? '');
    const before = clone(customer);
    this.recompute(invoice);
    const balance = customer.balance;
    let amountDue: number;
    let ending: number;
    if (invoice.total < 0) {
      amountDue = 0;
      ending = balance + invoice.total;
    } else if (balance < 0) {
      const credit = Math.min(-balance, invoice.total);
      amountDue = invoice.total - credit;
      ending = balance + credit;
    } else {
      amountDue = invoice.total + balance;
      ending = 0;
    }
    const sequence = customer.next_invoice_sequence ?? 1;
    customer.next_invoice_sequence = sequence + 1;
    customer.balance = ending;
    invoice.starting_balance = balance;
    invoice.ending_balance = ending;
    invoice.amount_due = amountDue;
    invoice.amount_remaining = amountDue;
    invoice.number = `${customer.invoice_prefix ?? 'INV'}-${String(sequence).padStart(4, '0')}`;
    invoice.status = 'open';
    invoice.status_transitions.finalized_at = now;
    invoice.effective_at = now;
    invoice.automatically_finalizes_at = null;
    invoice.hosted_invoice_url = `${this.ctx.publicUrl()}/invoices/${invoice.id}`;
    invoice.invoice_pdf = `${this.ctx.publicUrl()}/invoices/${invoice.id}/pdf`;
    if (balance !== ending)
      this.ctx.emit('customer.updated', customer, now, {
        balance: before.balance,
        next_invoice_sequence: before.next_invoice_sequence,
      });
    this.ctx.emit('invoice.finalized', invoice, now);
  }

  /**
   * One payment attempt. A zero amount is paid without a card. The outcome also goes to onPaymentOutcome so the
   * subscription follows (active, past_due, incomplete ...).
   */
  pay(invoice: Stripe.Invoice, now: number, options: PaymentOptions): PaymentResult {
    if (invoice.status !== 'open')
      throw invalidRequest(`Invoice is already ${invoice.status ?? 'draft'}.`, undefined, 'invoice_not_open');
    let result: PaymentResult;
    if (invoice.amount_due === 0) {
      this.markPaid(invoice, now);
      result = { kind: 'paid' };
    } else {
      const paymentMethod = options.paymentMethod ?? this.paymentMethodFor(invoice);
      const cardNumber = paymentMethod ? this.ctx.data.paymentMethodCards[paymentMethod] : undefined;
      const card = cardNumber ? testCardFor(cardNumber) : undefined;
      invoice.attempt_count += 1;
      invoice.attempted = true;
      const outcome: ChargeOutcome | { kind: 'no_payment_method' } = card
        ? card.outcome
        : { kind: 'no_payment_method' };
      if (outcome.kind === 'succeeded' || (outcome.kind === 'requires_action' && options.authenticated)) {
        this.markPaid(invoice, now);
        result = { kind: 'paid' };
      } else {
        result = { kind: 'failed', outcome };
        invoice.last_finalization_error = null;
        const nextAttempt = this.nextAttemptAt(invoice, now, options.offSession);
        if (nextAttempt !== undefined) invoice.next_payment_attempt = nextAttempt;
        if (outcome.kind === 'requires_action') {
          this.ctx.emit('invoice.payment_action_required', invoice, now);
          if (options.offSession) this.ctx.emit('invoice.payment_failed', invoice, now);
        } else {
          this.ctx.emit('invoice.payment_failed', invoice, now);
        }
      }
    }
    this.onPaymentOutcome(invoice, result, now, options.offSession);
    return result;
  }

  /** The error a synchronous /pay call answers when the attempt fails. */
  static errorFor(result: Extract<PaymentResult, { kind: 'failed' }>): StripeApiError {
    switch (result.outcome.kind) {
      case 'declined':
        return cardError(result.outcome.message, result.outcome.code, result.outcome.declineCode);
      case 'requires_action':
        return new StripeApiError(402, {
          type: 'invalid_request_error',
          code: 'invoice_payment_intent_requires_action',
          message: 'This payment requires additional user action before it can be completed successfully.',
        });
      case 'no_payment_method':
        return invalidRequest(
          'This customer has no attached payment source or default payment method.',
          undefined,
          'invoice_no_customer_line_items',
        );
    }
  }

  paymentMethodFor(invoice: Stripe.Invoice): string | undefined {
    const fromInvoice = idOf(invoice.default_payment_method);
    if (fromInvoice) return fromInvoice;
    const subscriptionId = invoice.parent?.subscription_details
      ? idOf(invoice.parent.subscription_details.subscription)
      : null;
    const subscription = subscriptionId ? this.ctx.data.subscriptions[subscriptionId] : undefined;
    const fromSubscription = idOf(subscription?.default_payment_method);
    if (fromSubscription) return fromSubscription;
    const customer = this.ctx.data.customers[idOf(invoice.customer) ?? ''];
    return idOf(customer?.invoice_settings.default_payment_method) ?? undefined;
  }

  private markPaid(invoice: Stripe.Invoice, now: number): void {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = now;
    if (invoice.amount_due > 0) {
      const payment = buildInvoicePayment({
        id: newId('inpay_1'),
        invoice: invoice.id,
        created: now,
        currency: invoice.currency,
        amount: invoice.amount_due,
        paymentIntent: newId('pi_3'),
        paid: true,
      });
      this.ctx.data.invoicePayments[payment.id] = payment;
      this.ctx.emit('invoice_payment.paid', payment, now);
    }
    this.ctx.emit('invoice.paid', invoice, now);
    this.ctx.emit('invoice.payment_succeeded', invoice, now);
  }

  void(invoice: Stripe.Invoice, now: number): void {
    if (invoice.status !== 'open')
      throw invalidRequest(
        `You can only void an open invoice; this one is ${invoice.status ?? 'draft'}.`,
        undefined,
        'invoice_not_open',
      );
    const before = clone(invoice);
    invoice.status = 'void';
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.voided_at = now;
    this.ctx.emit('invoice.voided', invoice, now);
    this.ctx.emit('invoice.updated', invoice, now, { status: before.status });
  }

  markUncollectible(invoice: Stripe.Invoice, now: number): void {
    if (invoice.status !== 'open')
      throw invalidRequest(
        `You can only mark an open invoice uncollectible; this one is ${invoice.status ?? 'draft'}.`,
        undefined,
        'invoice_not_open',
      );
    invoice.status = 'uncollectible';
    invoice.next_payment_attempt = null;
    invoice.status_transitions.marked_uncollectible_at = now;
    this.ctx.emit('invoice.marked_uncollectible', invoice, now);
  }
}
