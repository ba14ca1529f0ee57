/**
 * POST /v1/invoices/create_preview: the invoice a change (or the next renewal) would produce, computed by the
 * same planChange() the update runs, with the customer's balance applied as finalization would apply it.
 */
import type Stripe from 'stripe';
import { idOf, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { invalidRequest } from '../core/stripe-error';
import { addIntervals, periodEndAfter } from './billing-period';
import { buildInvoice, buildLineItem } from './object-builders';
import { periodLines, planChange, type LinePlan, type ProrationBehavior } from './subscription-change';
import type { ItemChange, SubscriptionService } from './subscription.service';

export interface PreviewInput {
  customer?: string;
  subscription?: string;
  items?: ItemChange[];
  prorationBehavior?: ProrationBehavior;
  prorationDate?: number;
  now?: number;
}

export class PreviewService {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly subscriptions: SubscriptionService,
  ) {}

  preview(input: PreviewInput): Stripe.Invoice {
    if (!input.subscription) return this.pendingItemsPreview(input);
    const subscription = this.ctx.require('subscriptions', input.subscription, 'subscription');
    const customerId = idOf(subscription.customer)!;
    if (input.customer && input.customer !== customerId)
      throw invalidRequest(`The subscription does not belong to customer ${input.customer}.`, 'customer');
    const customer = this.ctx.require('customers', customerId, 'customer');
    const now = input.now ?? this.ctx.nowForCustomer(customerId);
    const at = input.prorationDate ?? now;
    const behavior = input.prorationBehavior ?? 'create_prorations';
    const current = subscription.items.data;
    const next = this.subscriptions.nextItems(subscription, input.items, now);
    const trialing = subscription.status === 'trialing';
    const plan = planChange(current, next, at, trialing ? 'none' : behavior, this.ctx.data.products);
    const pending = this.pendingLines(customerId, subscription.id);
    const interval = next[0].price.recurring!;

    let lines: LinePlan[];
    let periodStart: number;
    let periodEnd: number;
    let reason: Stripe.Invoice.BillingReason;
    if (plan.resetsCycle && !trialing) {
      const end = addIntervals(now, interval.interval, interval.interval_count);
      lines = [...pending, ...plan.prorations, ...periodLines(next, now, end, this.ctx.data.products, false)];
      periodStart = now;
      periodEnd = now;
      reason = 'subscription_update';
    } else if (behavior === 'always_invoice' && plan.prorations.length > 0) {
      lines = [...pending, ...plan.prorations];
      periodStart = now;
      periodEnd = now;
      reason = 'subscription_update';
    } else {
      const boundary = current[0].current_period_end;
      const end = periodEndAfter(boundary, subscription.billing_cycle_anchor, interval, trialing);
      lines = [
        ...pending,
        ...plan.prorations,
        ...periodLines(next, boundary, end, this.ctx.data.products, false),
      ];
      periodStart = current[0].current_period_start;
      periodEnd = boundary;
      reason = 'upcoming';
    }
    const invoice = this.assemble(customer, subscription, lines, now, periodStart, periodEnd, reason);
    if (invoice.parent?.subscription_details)
      invoice.parent.subscription_details.subscription_proration_date = at;
    return invoice;
  }

  private pendingItemsPreview(input: PreviewInput): Stripe.Invoice {
    if (!input.customer)
      throw invalidRequest('Missing required param: customer.', 'customer', 'parameter_missing');
    const customer = this.ctx.require('customers', input.customer, 'customer');
    const now = input.now ?? this.ctx.nowForCustomer(customer.id);
    return this.assemble(customer, null, this.pendingLines(customer.id, null), now, now, now, 'manual');
  }

  private pendingLines(customer: string, subscription: string | null): LinePlan[] {
    const lines: LinePlan[] = [];
    for (const item of Object.values(this.ctx.data.invoiceItems)) {
      if (item.invoice !== null || idOf(item.customer) !== customer) continue;
      const owner = item.parent?.subscription_details?.subscription ?? null;
      if (owner !== null && owner !== subscription) continue;
      const priceId = item.pricing?.price_details ? idOf(item.pricing.price_details.price) : null;
      const price = priceId ? this.ctx.data.prices[priceId] : undefined;
      if (!price) continue;
      lines.push({
        amount: item.amount,
        description: item.description ?? '',
        quantity: item.quantity,
        unitAmount: Number(item.pricing?.unit_amount_decimal ?? 0),
        price,
        periodStart: item.period.start,
        periodEnd: item.period.end,
        proration: item.proration,
        subscriptionItem: item.parent?.subscription_details?.subscription_item ?? '',
      });
    }
    return lines;
  }

  private assemble(
    customer: Stripe.Customer,
    subscription: Stripe.Subscription | null,
    lines: LinePlan[],
    now: number,
    periodStart: number,
    periodEnd: number,
    reason: Stripe.Invoice.BillingReason,
  ): Stripe.Invoice {
    const id = newId('upcoming_in_1');
    const invoice = buildInvoice({
      id,
      customer,
      created: now,
      currency: subscription?.currency ?? lines[0]?.price.currency ?? 'usd',
      billingReason: reason,
      subscription,
      periodStart,
      periodEnd,
      autoAdvance: false,
      baseUrl: this.ctx.publicUrl(),
      metadata: {},
      description: null,
    });
    invoice.lines.data = lines.map((line) =>
      buildLineItem({
        id: newId('il_tmp_1'),
        invoice: id,
        amount: line.amount,
        currency: invoice.currency,
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        price: line.price.id,
        product: idOf(line.price.product),
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        proration: line.proration,
        subscription: subscription?.id ?? null,
        subscriptionItem: line.subscriptionItem,
        invoiceItem: null,
        metadata: {},
      }),
    );
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    const balance = customer.balance;
    const credit = total > 0 && balance < 0 ? Math.min(-balance, total) : 0;
    invoice.subtotal = total;
    invoice.subtotal_excluding_tax = total;
    invoice.total = total;
    invoice.total_excluding_tax = total;
    invoice.starting_balance = balance;
    invoice.amount_due = total < 0 ? 0 : total - credit + (balance > 0 ? balance : 0);
    invoice.amount_remaining = invoice.amount_due;
    invoice.ending_balance = null;
    return invoice;
  }
}
