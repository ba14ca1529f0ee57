/**
 * Subscriptions and Stripe's status machine:
 *   create: trial → trialing ($0 invoice paid); else first invoice paid → active, failed → incomplete
 *   (23 h unpaid → incomplete_expired). trial end: payment method → active + cycle invoice; none →
 *   trial_settings.end_behavior.missing_payment_method (cancel | pause | create_invoice).
 *   renewal failure → past_due, retried on the configured schedule, then the terminal action
 *   (cancel | unpaid | stay past_due). cancel_at_period_end → canceled at the boundary.
 */
import type Stripe from 'stripe';
import { idOf, previousAttributes, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { mergeMetadata } from '../core/params';
import { clone } from '../core/state';
import { invalidRequest } from '../core/stripe-error';
import { addIntervals, periodEndAfter } from './billing-period';
import { InvoiceService, type PaymentResult } from './invoice.service';
import { buildInvoiceItem, buildSubscription, buildSubscriptionItem } from './object-builders';
import { testCardFor } from './test-cards';
import { periodLines, planChange, type LinePlan, type ProrationBehavior } from './subscription-change';

export type PaymentBehavior =
  'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
export type MissingPaymentMethod = 'cancel' | 'pause' | 'create_invoice';

export interface ItemChange {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
  metadata?: Record<string, string>;
}

export interface CreateSubscriptionInput {
  customer: string;
  items: Array<{ price: string; quantity: number; metadata?: Record<string, string> }>;
  trialEnd: number | null;
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
  paymentBehavior: PaymentBehavior;
  missingPaymentMethod: MissingPaymentMethod;
  cancelAtPeriodEnd: boolean;
  /** Checkout's customer is on the page, so a 3-D Secure card can be authenticated there. */
  offSession: boolean;
}

export interface UpdateSubscriptionInput {
  items?: ItemChange[];
  prorationBehavior: ProrationBehavior;
  prorationDate?: number;
  paymentBehavior: PaymentBehavior;
  cancelAtPeriodEnd?: boolean;
  cancelAt?: number | null;
  metadata?: Record<string, string> | null;
  defaultPaymentMethod?: string | null;
  trialEnd?: number;
  description?: string | null;
}

const INCOMPLETE_EXPIRES_AFTER = 23 * 3600;
const TRIAL_WILL_END_BEFORE = 3 * 86_400;

export class SubscriptionService {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly invoices: InvoiceService,
  ) {
    invoices.onPaymentOutcome = (invoice, result, now, offSession) =>
      this.afterPayment(invoice, result, now, offSession);
    invoices.nextAttemptAt = (invoice, now, offSession) => this.nextAttemptAt(invoice, now, offSession);
  }

  private get products(): Record<string, Stripe.Product> {
    return this.ctx.data.products;
  }

  resolvePrice(id: string, param: string): Stripe.Price {
    const price = this.ctx.require('prices', id, param);
    if (!price.recurring)
      throw invalidRequest(
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
        param,
      );
    if (!price.active)
      throw invalidRequest(`The price specified is inactive. This field only accepts active prices.`, param);
    return clone(price);
  }

  create(input: CreateSubscriptionInput): Stripe.Subscription {
    const customer = this.ctx.require('customers', input.customer, 'customer');
    if (input.items.length === 0)
      throw invalidRequest('Missing required param: items.', 'items', 'parameter_missing');
    const prices = input.items.map((item, i) => this.resolvePrice(item.price, `items[${i}][price]`));
    this.assertCompatible(prices, 'items');
    const now = this.ctx.nowForCustomer(customer.id);
    const id = newId('sub_1');
    const trialing = input.trialEnd !== null && input.trialEnd > now;
    const periodEnd = trialing
      ? input.trialEnd!
      : addIntervals(now, prices[0].recurring!.interval, prices[0].recurring!.interval_count);
    const items = input.items.map((item, i) =>
      buildSubscriptionItem({
        id: newId('si_', 14),
        subscription: id,
        created: now,
        price: prices[i],
        quantity: item.quantity,
        periodStart: now,
        periodEnd,
        metadata: item.metadata ?? {},
      }),
    );
    const subscription = buildSubscription({
      id,
      customer: customer.id,
      created: now,
      currency: prices[0].currency,
      items,
      status: trialing ? 'trialing' : 'incomplete',
      billingCycleAnchor: periodEnd,
      trialStart: trialing ? now : null,
      trialEnd: trialing ? input.trialEnd : null,
      metadata: input.metadata,
      defaultPaymentMethod: input.defaultPaymentMethod,
      testClock: idOf(customer.test_clock),
      missingPaymentMethod: input.missingPaymentMethod,
      cancelAtPeriodEnd: input.cancelAtPeriodEnd,
    });
    if (!trialing) subscription.billing_cycle_anchor = now;
    if (input.cancelAtPeriodEnd) {
      subscription.cancel_at = periodEnd;
      subscription.canceled_at = now;
    }
    this.ctx.data.subscriptionBookkeeping[id] = {
      trialWillEndSent: false,
      upcomingSentForPeriodEnd: null,
      missingPaymentMethod: input.missingPaymentMethod,
    };

    // The first invoice: $0 for a trial, the first period otherwise.
    const invoice = this.invoices.create({
      customer,
      subscription,
      billingReason: 'subscription_create',
      periodStart: now,
      periodEnd: now,
      now,
      autoAdvance: false,
      includePendingItems: true,
    });
    this.addLines(invoice, periodLines(items, now, periodEnd, this.products, trialing));
    subscription.latest_invoice = invoice.id;

    if (input.paymentBehavior === 'error_if_incomplete' && !trialing && invoice.amount_due > 0) {
      // Decide before anything is stored or announced: Stripe creates nothing when the charge fails.
      const outcome = this.dryRunCharge(invoice, input.defaultPaymentMethod);
      if (outcome) {
        delete this.ctx.data.invoices[invoice.id];
        delete this.ctx.data.subscriptionBookkeeping[id];
        throw InvoiceService.errorFor(outcome);
      }
    }

    this.ctx.data.subscriptions[id] = subscription;
    this.ctx.emit('customer.subscription.created', subscription, now);
    this.invoices.announce(invoice, now);
    this.invoices.finalize(invoice, now);
    if (trialing || input.paymentBehavior !== 'default_incomplete' || invoice.amount_due === 0)
      this.invoices.pay(invoice, now, { offSession: input.offSession });
    return subscription;
  }

  /** What a payment would do, without doing it: used by error_if_incomplete to refuse up front. */
  private dryRunCharge(
    invoice: Stripe.Invoice,
    paymentMethod: string | null,
  ): Extract<PaymentResult, { kind: 'failed' }> | null {
    const pm = paymentMethod ?? this.invoices.paymentMethodFor(invoice);
    const number = pm ? this.ctx.data.paymentMethodCards[pm] : undefined;
    if (!number) return { kind: 'failed', outcome: { kind: 'no_payment_method' } };
    const outcome = testCardOutcome(number);
    return outcome.kind === 'succeeded' ? null : { kind: 'failed', outcome };
  }

  private assertCompatible(prices: Stripe.Price[], param: string): void {
    const first = prices[0];
    for (const price of prices) {
      if (price.currency !== first.currency)
        throw invalidRequest('All prices on a subscription must have the same currency.', param);
      if (
        price.recurring?.interval !== first.recurring?.interval ||
        price.recurring?.interval_count !== first.recurring?.interval_count
      )
        throw invalidRequest(
          'All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.',
          param,
        );
    }
  }

  private addLines(invoice: Stripe.Invoice, lines: LinePlan[]): void {
    for (const line of lines)
      this.invoices.addLine(invoice, {
        amount: line.amount,
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        price: line.price,
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        proration: line.proration,
        subscriptionItem: line.subscriptionItem,
        invoiceItem: null,
      });
  }

  private afterPayment(
    invoice: Stripe.Invoice,
    result: PaymentResult,
    now: number,
    offSession: boolean,
  ): void {
    const subscriptionId = invoice.parent?.subscription_details
      ? idOf(invoice.parent.subscription_details.subscription)
      : null;
    const subscription = subscriptionId ? this.ctx.data.subscriptions[subscriptionId] : undefined;
    if (!subscription) return;
    const before = clone(subscription);
    if (result.kind === 'paid') {
      if (
        ['incomplete', 'past_due', 'unpaid'].includes(subscription.status) &&
        !this.hasOtherUnpaidInvoices(subscription, invoice)
      )
        subscription.status = 'active';
    } else if (invoice.billing_reason !== 'subscription_create') {
      if (subscription.status === 'active' || subscription.status === 'trialing')
        subscription.status = 'past_due';
      if (offSession) this.scheduleRetry(subscription, invoice, now);
    }
    this.announceUpdate(before, subscription, now);
  }

  private hasOtherUnpaidInvoices(subscription: Stripe.Subscription, paid: Stripe.Invoice): boolean {
    return Object.values(this.ctx.data.invoices).some(
      (inv) =>
        inv.id !== paid.id &&
        inv.status === 'open' &&
        inv.parent?.subscription_details &&
        idOf(inv.parent.subscription_details.subscription) === subscription.id,
    );
  }

  /** The retry schedule's next attempt after a failed off-session attempt at a subscription invoice. */
  private nextAttemptAt(
    invoice: Stripe.Invoice,
    now: number,
    offSession: boolean,
  ): number | null | undefined {
    const subscriptionId = invoice.parent?.subscription_details
      ? idOf(invoice.parent.subscription_details.subscription)
      : null;
    if (!offSession || invoice.billing_reason === 'subscription_create') return undefined;
    if (!subscriptionId || !this.ctx.data.subscriptions[subscriptionId]) return undefined;
    const schedule = this.ctx.config.retrySchedule;
    const retriesDone = invoice.attempt_count - 1;
    if (invoice.auto_advance && retriesDone < schedule.retryDays.length)
      return now + Math.round(schedule.retryDays[retriesDone] * 86_400);
    return null;
  }

  private scheduleRetry(subscription: Stripe.Subscription, invoice: Stripe.Invoice, now: number): void {
    const next = this.nextAttemptAt(invoice, now, true);
    if (next) {
      invoice.next_payment_attempt = next;
      return;
    }
    invoice.next_payment_attempt = null;
    const schedule = this.ctx.config.retrySchedule;
    if (!invoice.auto_advance) return;
    // Retries exhausted: the configured terminal action.
    if (schedule.invoiceTerminalAction === 'mark_uncollectible')
      this.invoices.markUncollectible(invoice, now);
    switch (schedule.terminalAction) {
      case 'cancel':
        this.cancelNow(subscription, now, 'payment_failed');
        break;
      case 'unpaid':
        subscription.status = 'unpaid';
        break;
      case 'past_due':
        break;
    }
  }

  announceUpdate(before: Stripe.Subscription, after: Stripe.Subscription, now: number): void {
    const changed = previousAttributes(before, after);
    if (changed && after.status !== 'canceled' && after.status !== 'incomplete_expired')
      this.ctx.emit('customer.subscription.updated', after, now, changed);
  }

  cancelNow(
    subscription: Stripe.Subscription,
    now: number,
    reason: Stripe.Subscription.CancellationDetails.Reason,
  ): void {
    if (subscription.status === 'canceled') return;
    subscription.status = 'canceled';
    subscription.ended_at = now;
    subscription.canceled_at ??= now;
    subscription.cancel_at_period_end = false;
    subscription.cancellation_details = { ...subscription.cancellation_details!, reason };
    for (const invoice of Object.values(this.ctx.data.invoices))
      if (
        invoice.parent?.subscription_details &&
        idOf(invoice.parent.subscription_details.subscription) === subscription.id
      )
        invoice.next_payment_attempt = null;
    this.ctx.emit('customer.subscription.deleted', subscription, now);
  }

  /** The subscription's items after applying `changes` (Stripe's items[] update semantics). */
  nextItems(
    subscription: Stripe.Subscription,
    changes: ItemChange[] | undefined,
    now: number,
  ): Stripe.SubscriptionItem[] {
    const items = clone(subscription.items.data);
    if (!changes) return items;
    changes.forEach((change, i) => {
      const param = `items[${i}]`;
      if (change.id) {
        const index = items.findIndex((item) => item.id === change.id);
        if (index < 0)
          throw invalidRequest(
            `No such subscription item: '${change.id}'`,
            `${param}[id]`,
            'resource_missing',
          );
        if (change.deleted) {
          items.splice(index, 1);
          return;
        }
        const item = items[index];
        if (change.price && change.price !== item.price.id) {
          const price = this.resolvePrice(change.price, `${param}[price]`);
          item.price = price;
          item.plan = buildSubscriptionItem({ ...itemInput(item), price }).plan;
        }
        if (change.quantity !== undefined) item.quantity = change.quantity;
        if (change.metadata) item.metadata = mergeMetadata(item.metadata, change.metadata);
        return;
      }
      if (!change.price)
        throw invalidRequest(
          'Missing required param: items[].price.',
          `${param}[price]`,
          'parameter_missing',
        );
      const price = this.resolvePrice(change.price, `${param}[price]`);
      if (items.some((item) => item.price.id === price.id))
        throw invalidRequest(
          `Cannot add multiple subscription items with the same price: ${price.id}`,
          `${param}[price]`,
        );
      items.push(
        buildSubscriptionItem({
          id: newId('si_', 14),
          subscription: subscription.id,
          created: now,
          price,
          quantity: change.quantity ?? 1,
          periodStart: items[0]?.current_period_start ?? now,
          periodEnd: items[0]?.current_period_end ?? now,
          metadata: change.metadata ?? {},
        }),
      );
    });
    if (items.length === 0)
      throw invalidRequest('A subscription must have at least one active plan.', 'items');
    this.assertCompatible(
      items.map((item) => item.price),
      'items',
    );
    return items;
  }

  update(subscription: Stripe.Subscription, input: UpdateSubscriptionInput): Stripe.Subscription {
    if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired')
      throw invalidRequest(
        `A canceled subscription can only update its cancellation_details and metadata.`,
        undefined,
        'resource_missing',
      );
    const now = this.ctx.nowForCustomer(idOf(subscription.customer)!);
    const at = input.prorationDate ?? now;
    const before = clone(subscription);
    const items = this.nextItems(subscription, input.items, now);
    const itemsChanged =
      JSON.stringify(items.map(summary)) !== JSON.stringify(subscription.items.data.map(summary));
    const trialing = subscription.status === 'trialing';
    const plan = planChange(
      subscription.items.data,
      items,
      at,
      trialing ? 'none' : input.prorationBehavior,
      this.products,
    );

    if (input.metadata !== undefined)
      subscription.metadata = mergeMetadata(subscription.metadata, input.metadata);
    if (input.description !== undefined) subscription.description = input.description;
    if (input.defaultPaymentMethod !== undefined) {
      if (input.defaultPaymentMethod)
        this.requireAttached(
          input.defaultPaymentMethod,
          idOf(subscription.customer)!,
          'default_payment_method',
        );
      subscription.default_payment_method = input.defaultPaymentMethod;
    }
    if (input.cancelAtPeriodEnd !== undefined) {
      subscription.cancel_at_period_end = input.cancelAtPeriodEnd;
      subscription.cancel_at = input.cancelAtPeriodEnd ? subscription.items.data[0].current_period_end : null;
      subscription.canceled_at = input.cancelAtPeriodEnd ? now : null;
    }
    if (input.cancelAt !== undefined) {
      subscription.cancel_at = input.cancelAt;
      subscription.cancel_at_period_end = false;
      subscription.canceled_at = input.cancelAt === null ? null : now;
    }
    if (input.trialEnd !== undefined && trialing) {
      subscription.trial_end = input.trialEnd;
      for (const item of items) item.current_period_end = input.trialEnd;
    }

    if (itemsChanged && !trialing && plan.resetsCycle) {
      const interval = items[0].price.recurring!;
      const periodEnd = addIntervals(now, interval.interval, interval.interval_count);
      for (const item of items) {
        item.current_period_start = now;
        item.current_period_end = periodEnd;
      }
      subscription.billing_cycle_anchor = now;
      if (subscription.cancel_at_period_end) subscription.cancel_at = periodEnd;
      this.createProrationItems(subscription, plan.prorations, now);
      subscription.items.data = items;
      this.invoiceNow(
        subscription,
        before,
        now,
        input.paymentBehavior,
        periodLines(items, now, periodEnd, this.products, false),
      );
    } else if (
      itemsChanged &&
      !trialing &&
      input.prorationBehavior !== 'none' &&
      plan.prorations.length > 0
    ) {
      this.createProrationItems(subscription, plan.prorations, now);
      subscription.items.data = items;
      if (input.prorationBehavior === 'always_invoice')
        this.invoiceNow(subscription, before, now, input.paymentBehavior, []);
    } else {
      subscription.items.data = items;
    }
    this.announceUpdate(before, subscription, now);
    return subscription;
  }

  private requireAttached(paymentMethod: string, customer: string, param: string): void {
    const pm = this.ctx.require('paymentMethods', paymentMethod, param);
    if (idOf(pm.customer) !== customer)
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${paymentMethod}. The payment method must be attached to the customer.`,
        param,
      );
  }

  private createProrationItems(subscription: Stripe.Subscription, lines: LinePlan[], now: number): void {
    const customer = idOf(subscription.customer)!;
    for (const line of lines) {
      const item = buildInvoiceItem({
        id: newId('ii_1'),
        customer,
        date: now,
        currency: subscription.currency,
        amount: line.amount,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        price: line.price.id,
        description: line.description,
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        proration: true,
        subscription: subscription.id,
        subscriptionItem: line.subscriptionItem,
        testClock: idOf(subscription.test_clock),
        metadata: {},
      });
      if (item.pricing?.price_details) item.pricing.price_details.product = idOf(line.price.product) ?? '';
      this.ctx.data.invoiceItems[item.id] = item;
      this.ctx.emit('invoiceitem.created', item, now);
    }
  }

  /** always_invoice / cycle reset: invoice pending items (+ extra lines) now and charge it. */
  private invoiceNow(
    subscription: Stripe.Subscription,
    before: Stripe.Subscription,
    now: number,
    paymentBehavior: PaymentBehavior,
    extraLines: LinePlan[],
  ): void {
    const customer = this.ctx.require('customers', idOf(subscription.customer)!);
    const invoice = this.invoices.create({
      customer,
      subscription,
      billingReason: 'subscription_update',
      periodStart: now,
      periodEnd: now,
      now,
      autoAdvance: true,
      includePendingItems: true,
    });
    this.addLines(invoice, extraLines);
    if (paymentBehavior === 'error_if_incomplete' || paymentBehavior === 'pending_if_incomplete') {
      const failure = invoice.total > 0 ? this.dryRunCharge(invoice, null) : null;
      if (failure) {
        // Undo: the change never happened, the proration items are removed, nothing is announced.
        for (const line of invoice.lines.data) {
          const itemId = line.parent?.invoice_item_details?.invoice_item;
          if (itemId) delete this.ctx.data.invoiceItems[itemId];
        }
        delete this.ctx.data.invoices[invoice.id];
        Object.assign(subscription, clone(before));
        throw InvoiceService.errorFor(failure);
      }
    }
    subscription.latest_invoice = invoice.id;
    this.invoices.announce(invoice, now);
    this.invoices.finalize(invoice, now);
    this.invoices.pay(invoice, now, { offSession: true });
  }

  /** Stripe's cycle: a period boundary (or trial end) reached at `now`. */
  reachPeriodEnd(subscription: Stripe.Subscription, now: number): void {
    const before = clone(subscription);
    const periodEnd = subscription.items.data[0].current_period_end;
    if (
      subscription.cancel_at_period_end ||
      (subscription.cancel_at !== null && subscription.cancel_at <= periodEnd)
    ) {
      this.cancelNow(subscription, now, 'cancellation_requested');
      return;
    }
    const customer = this.ctx.require('customers', idOf(subscription.customer)!);
    const wasTrialing = subscription.status === 'trialing';
    if (wasTrialing) {
      const hasPaymentMethod =
        idOf(subscription.default_payment_method) !== null ||
        idOf(customer.invoice_settings.default_payment_method) !== null;
      const behavior =
        this.ctx.data.subscriptionBookkeeping[subscription.id]?.missingPaymentMethod ?? 'create_invoice';
      if (!hasPaymentMethod && behavior === 'cancel') {
        this.cancelNow(subscription, now, 'cancellation_requested');
        return;
      }
      if (!hasPaymentMethod && behavior === 'pause') {
        subscription.status = 'paused';
        this.ctx.emit('customer.subscription.paused', subscription, now);
        this.announceUpdate(before, subscription, now);
        return;
      }
      subscription.status = 'active';
    }
    const interval = subscription.items.data[0].price.recurring!;
    const nextEnd = periodEndAfter(periodEnd, subscription.billing_cycle_anchor, interval, wasTrialing);
    for (const item of subscription.items.data) {
      item.current_period_start = periodEnd;
      item.current_period_end = nextEnd;
    }
    if (wasTrialing) subscription.billing_cycle_anchor = periodEnd;
    const invoice = this.invoices.create({
      customer,
      subscription,
      billingReason: 'subscription_cycle',
      periodStart: before.items.data[0].current_period_start,
      periodEnd,
      now,
      autoAdvance: subscription.status !== 'unpaid',
      includePendingItems: true,
    });
    this.addLines(invoice, periodLines(subscription.items.data, periodEnd, nextEnd, this.products, false));
    // Stripe leaves a cycle invoice in draft for about an hour before finalizing and charging it.
    invoice.automatically_finalizes_at = invoice.auto_advance ? now + 3600 : null;
    subscription.latest_invoice = invoice.id;
    this.announceUpdate(before, subscription, now);
    this.invoices.announce(invoice, now);
  }

  sendTrialWillEnd(subscription: Stripe.Subscription, now: number): void {
    const bookkeeping = this.ctx.data.subscriptionBookkeeping[subscription.id];
    if (bookkeeping) bookkeeping.trialWillEndSent = true;
    this.ctx.emit('customer.subscription.trial_will_end', subscription, now);
  }

  expireIncomplete(subscription: Stripe.Subscription, now: number): void {
    subscription.status = 'incomplete_expired';
    subscription.ended_at = now;
    const latest = idOf(subscription.latest_invoice);
    const invoice = latest ? this.ctx.data.invoices[latest] : undefined;
    if (invoice?.status === 'open') this.invoices.void(invoice, now);
    this.ctx.emit('customer.subscription.deleted', subscription, now);
  }

  incompleteExpiresAt(subscription: Stripe.Subscription): number {
    return subscription.created + INCOMPLETE_EXPIRES_AFTER;
  }

  trialWillEndAt(subscription: Stripe.Subscription): number | null {
    if (subscription.status !== 'trialing' || subscription.trial_end === null) return null;
    if (this.ctx.data.subscriptionBookkeeping[subscription.id]?.trialWillEndSent) return null;
    return Math.max(
      subscription.trial_start ?? subscription.created,
      subscription.trial_end - TRIAL_WILL_END_BEFORE,
    );
  }

  /** POST /v1/subscriptions/:id/resume: a paused subscription restarts its cycle now and is invoiced. */
  resume(subscription: Stripe.Subscription): Stripe.Subscription {
    if (subscription.status !== 'paused')
      throw invalidRequest(
        'Only a paused subscription can be resumed.',
        undefined,
        'subscription_not_paused',
      );
    const now = this.ctx.nowForCustomer(idOf(subscription.customer)!);
    const before = clone(subscription);
    const interval = subscription.items.data[0].price.recurring!;
    const periodEnd = addIntervals(now, interval.interval, interval.interval_count);
    for (const item of subscription.items.data) {
      item.current_period_start = now;
      item.current_period_end = periodEnd;
    }
    subscription.billing_cycle_anchor = now;
    subscription.status = 'active';
    this.ctx.emit('customer.subscription.resumed', subscription, now);
    this.invoiceNow(
      subscription,
      before,
      now,
      'allow_incomplete',
      periodLines(subscription.items.data, now, periodEnd, this.products, false),
    );
    this.announceUpdate(before, subscription, now);
    return subscription;
  }
}

function summary(item: Stripe.SubscriptionItem): string {
  return `${item.id}:${item.price.id}:${item.quantity ?? 1}`;
}

function itemInput(item: Stripe.SubscriptionItem) {
  return {
    id: item.id,
    subscription: item.subscription,
    created: item.created,
    price: item.price,
    quantity: item.quantity ?? 1,
    periodStart: item.current_period_start,
    periodEnd: item.current_period_end,
    metadata: item.metadata,
  };
}

function testCardOutcome(number: string) {
  return (
    testCardFor(number)?.outcome ??
    ({
      kind: 'declined',
      code: 'card_declined',
      declineCode: 'generic_decline',
      message: 'Your card was declined.',
    } as const)
  );
}
