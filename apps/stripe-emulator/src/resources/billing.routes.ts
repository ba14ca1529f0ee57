/** Checkout and portal sessions, subscriptions, invoices and invoice items over Stripe's REST shape. */
import type { CheckoutService } from '../billing/checkout.service';
import { InvoiceService } from '../billing/invoice.service';
import { buildCheckoutSession, buildInvoiceItem, buildPortalSession } from '../billing/object-builders';
import type { PreviewService } from '../billing/preview.service';
import type {
  ItemChange,
  MissingPaymentMethod,
  PaymentBehavior,
  SubscriptionService,
} from '../billing/subscription.service';
import type { ApiRouter } from '../core/api-router';
import { idOf, previousAttributes, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { matchesRange, paginate } from '../core/list';
import { mergeMetadata, type ParamReader } from '../core/params';
import { clone } from '../core/state';
import { invalidRequest } from '../core/stripe-error';
import type { PaymentMethodService } from './customers.routes';

const PRORATION = ['create_prorations', 'always_invoice', 'none'] as const;
const PAYMENT_BEHAVIOR = [
  'allow_incomplete',
  'default_incomplete',
  'error_if_incomplete',
  'pending_if_incomplete',
] as const;
const MISSING_PM = ['cancel', 'pause', 'create_invoice'] as const;
const SUB_STATUS = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
  'all',
  'ended',
] as const;

export interface BillingServices {
  subscriptions: SubscriptionService;
  invoices: InvoiceService;
  previews: PreviewService;
  checkout: CheckoutService;
  paymentMethods: PaymentMethodService;
}

function readItemChanges(params: ParamReader, key: string): ItemChange[] | undefined {
  return params.children(key)?.map((item) => ({
    id: item.string('id'),
    price: item.string('price') ?? item.string('plan'),
    quantity: item.nonNegativeInt('quantity'),
    deleted: item.bool('deleted'),
    metadata: item.metadata() ?? undefined,
  }));
}

function missingPaymentMethod(params: ParamReader | undefined): MissingPaymentMethod | undefined {
  return params?.child('trial_settings')?.child('end_behavior')?.enum('missing_payment_method', MISSING_PM);
}

export function registerBillingRoutes(api: ApiRouter, ctx: EmulatorContext, s: BillingServices): void {
  // ---- Checkout ------------------------------------------------------------------------------------------------
  api.post('/v1/checkout/sessions', ({ params }) => {
    const mode = params.enum('mode', ['payment', 'setup', 'subscription'] as const);
    if (mode !== 'subscription')
      throw invalidRequest('The emulator supports Checkout in `mode=subscription` only.', 'mode');
    const customerId = params.string('customer') ?? null;
    if (customerId) ctx.require('customers', customerId, 'customer');
    const lineItems = (params.children('line_items') ?? []).map((item, i) => {
      const priceId = item.requiredString('price');
      const price = s.subscriptions.resolvePrice(priceId, `line_items[${i}][price]`);
      return {
        price: price.id,
        quantity: item.nonNegativeInt('quantity') ?? 1,
        unitAmount: price.unit_amount ?? 0,
        currency: price.currency,
      };
    });
    if (lineItems.length === 0)
      throw invalidRequest('Missing required param: line_items.', 'line_items', 'parameter_missing');
    const subscriptionData = params.child('subscription_data');
    const trialPeriodDays = subscriptionData?.nonNegativeInt('trial_period_days') ?? null;
    const trialEnd = subscriptionData?.int('trial_end') ?? null;
    const now = customerId ? ctx.nowForCustomer(customerId) : ctx.realNow();
    const id = newId('cs_test_a1', 56);
    const session = buildCheckoutSession({
      id,
      created: now,
      expiresAt: params.int('expires_at') ?? now + 24 * 3600,
      url: `${ctx.publicUrl()}/checkout/${id}`,
      customer: customerId,
      customerEmail: params.string('customer_email') ?? null,
      clientReferenceId: params.string('client_reference_id') ?? null,
      metadata: params.metadata() ?? {},
      successUrl: params.string('success_url') ?? null,
      cancelUrl: params.string('cancel_url') ?? null,
      currency: lineItems[0].currency,
      amountTotal:
        trialPeriodDays || trialEnd ? 0 : lineItems.reduce((sum, li) => sum + li.unitAmount * li.quantity, 0),
    });
    session.payment_method_collection =
      params.enum('payment_method_collection', ['always', 'if_required'] as const) ?? 'always';
    ctx.data.checkoutSessions[id] = session;
    ctx.data.checkoutBookkeeping[id] = {
      lineItems: lineItems.map((li) => ({ price: li.price, quantity: li.quantity })),
      trialPeriodDays,
      trialEnd,
      subscriptionMetadata: subscriptionData?.metadata() ?? {},
      missingPaymentMethod: missingPaymentMethod(subscriptionData) ?? 'create_invoice',
      customerEmail: params.string('customer_email') ?? ctx.data.customers[customerId ?? '']?.email ?? null,
    };
    return session;
  });
  api.get('/v1/checkout/sessions/:id', ({ path }) => ctx.require('checkoutSessions', path.id));
  api.get('/v1/checkout/sessions', ({ params }) => {
    const customer = params.string('customer');
    const subscription = params.string('subscription');
    const status = params.string('status');
    const list = Object.values(ctx.data.checkoutSessions)
      .reverse()
      .filter(
        (cs) =>
          (!customer || idOf(cs.customer) === customer) &&
          (!subscription || idOf(cs.subscription) === subscription) &&
          (!status || cs.status === status),
      );
    return paginate(list, params, '/v1/checkout/sessions');
  });
  api.post('/v1/checkout/sessions/:id/expire', ({ path }) => {
    const session = ctx.require('checkoutSessions', path.id, 'session');
    return s.checkout.expire(session, ctx.realNow());
  });

  // ---- Billing portal ------------------------------------------------------------------------------------------
  api.post('/v1/billing_portal/sessions', ({ params }) => {
    const customer = ctx.require('customers', params.requiredString('customer'), 'customer');
    const id = newId('bps_1');
    const session = buildPortalSession({
      id,
      created: ctx.realNow(),
      customer: customer.id,
      returnUrl: params.string('return_url') ?? null,
      url: `${ctx.publicUrl()}/portal/${id}`,
    });
    ctx.data.portalSessions[id] = session;
    return session;
  });

  // ---- Subscriptions -------------------------------------------------------------------------------------------
  api.post('/v1/subscriptions', ({ params }) => {
    const customer = ctx.require('customers', params.requiredString('customer'), 'customer');
    const now = ctx.nowForCustomer(customer.id);
    const items = (params.children('items') ?? []).map((item, i) => ({
      price: item.string('price') ?? item.string('plan') ?? failMissing(`items[${i}][price]`),
      quantity: item.nonNegativeInt('quantity') ?? 1,
      metadata: item.metadata() ?? {},
    }));
    const trialDays = params.nonNegativeInt('trial_period_days');
    const trialEnd = params.timestamp('trial_end', now) ?? (trialDays ? now + trialDays * 86_400 : null);
    const defaultPm = params.string('default_payment_method') ?? null;
    if (defaultPm) {
      const pm = ctx.require('paymentMethods', defaultPm, 'default_payment_method');
      if (idOf(pm.customer) !== customer.id)
        throw invalidRequest(
          `The customer does not have a payment method with the ID ${defaultPm}. The payment method must be attached to the customer.`,
          'default_payment_method',
        );
    }
    return s.subscriptions.create({
      customer: customer.id,
      items,
      trialEnd: trialEnd === now ? null : trialEnd,
      metadata: params.metadata() ?? {},
      defaultPaymentMethod: defaultPm,
      paymentBehavior: params.enum('payment_behavior', PAYMENT_BEHAVIOR) ?? 'allow_incomplete',
      missingPaymentMethod: missingPaymentMethod(params) ?? 'create_invoice',
      cancelAtPeriodEnd: params.bool('cancel_at_period_end') ?? false,
      offSession: params.bool('off_session') ?? true,
    });
  });

  api.get('/v1/subscriptions/:id', ({ path }) => ctx.require('subscriptions', path.id));

  api.get('/v1/subscriptions', ({ params }) => {
    const customer = params.string('customer');
    const price = params.string('price');
    const clock = params.string('test_clock');
    const status = params.enum('status', SUB_STATUS);
    const list = Object.values(ctx.data.subscriptions)
      .reverse()
      .filter((sub) => {
        const statusOk =
          status === 'all' ||
          (status === 'ended'
            ? ['canceled', 'incomplete_expired'].includes(sub.status)
            : status
              ? sub.status === status
              : sub.status !== 'canceled');
        return (
          statusOk &&
          (!customer || idOf(sub.customer) === customer) &&
          (!clock || idOf(sub.test_clock) === clock) &&
          (!price || sub.items.data.some((item) => item.price.id === price)) &&
          matchesRange(sub.created, params, 'created')
        );
      });
    return paginate(list, params, '/v1/subscriptions');
  });

  api.post('/v1/subscriptions/:id', ({ params, path }) => {
    const subscription = ctx.require('subscriptions', path.id);
    const now = ctx.nowForCustomer(idOf(subscription.customer)!);
    const trialEnd = params.timestamp('trial_end', now);
    return s.subscriptions.update(subscription, {
      items: readItemChanges(params, 'items'),
      prorationBehavior: params.enum('proration_behavior', PRORATION) ?? 'create_prorations',
      prorationDate: params.int('proration_date'),
      paymentBehavior: params.enum('payment_behavior', PAYMENT_BEHAVIOR) ?? 'allow_incomplete',
      cancelAtPeriodEnd: params.bool('cancel_at_period_end'),
      cancelAt: params.has('cancel_at')
        ? params.raw.cancel_at === ''
          ? null
          : params.int('cancel_at')
        : undefined,
      metadata: params.metadata(),
      defaultPaymentMethod: params.has('default_payment_method')
        ? (params.nullableString('default_payment_method') ?? null)
        : undefined,
      trialEnd,
      description: params.has('description') ? (params.nullableString('description') ?? null) : undefined,
    });
  });

  api.delete('/v1/subscriptions/:id', ({ params, path }) => {
    const subscription = ctx.require('subscriptions', path.id);
    if (subscription.status === 'canceled')
      throw invalidRequest(`No such subscription: '${subscription.id}'`, 'id', 'resource_missing');
    const details = params.child('cancellation_details');
    if (details) {
      subscription.cancellation_details!.comment = details.string('comment') ?? null;
      subscription.cancellation_details!.feedback = details.string('feedback') ?? null;
    }
    s.subscriptions.cancelNow(
      subscription,
      ctx.nowForCustomer(idOf(subscription.customer)!),
      'cancellation_requested',
    );
    return subscription;
  });

  // Resuming always starts a new cycle now and invoices it (billing_cycle_anchor=now, Stripe's default).
  api.post('/v1/subscriptions/:id/resume', ({ path }) =>
    s.subscriptions.resume(ctx.require('subscriptions', path.id)),
  );

  // ---- Invoices ------------------------------------------------------------------------------------------------
  api.post('/v1/invoices/create_preview', ({ params }) => {
    const details = params.child('subscription_details');
    return s.previews.preview({
      customer: params.string('customer'),
      subscription: params.string('subscription'),
      items: details ? readItemChanges(details, 'items') : undefined,
      prorationBehavior: details?.enum('proration_behavior', PRORATION),
      prorationDate: details?.int('proration_date'),
    });
  });

  api.post('/v1/invoices', ({ params }) => {
    const customer = ctx.require('customers', params.requiredString('customer'), 'customer');
    const subscriptionId = params.string('subscription');
    const subscription = subscriptionId ? ctx.require('subscriptions', subscriptionId, 'subscription') : null;
    const now = ctx.nowForCustomer(customer.id);
    const invoice = s.invoices.create({
      customer,
      subscription,
      billingReason: 'manual',
      periodStart: now,
      periodEnd: now,
      now,
      autoAdvance: params.bool('auto_advance') ?? false,
      includePendingItems:
        params.enum('pending_invoice_items_behavior', ['include', 'exclude'] as const) === 'include',
      metadata: params.metadata() ?? {},
      description: params.string('description') ?? null,
    });
    if (params.has('default_payment_method'))
      invoice.default_payment_method = params.requiredString('default_payment_method');
    // A manual invoice with auto_advance finalizes about an hour after creation, as on Stripe.
    if (invoice.auto_advance) invoice.automatically_finalizes_at = now + 3600;
    s.invoices.announce(invoice, now);
    return invoice;
  });

  api.get('/v1/invoices/:id', ({ path }) => ctx.require('invoices', path.id));

  api.get('/v1/invoices', ({ params }) => {
    const customer = params.string('customer');
    const subscription = params.string('subscription');
    const status = params.string('status');
    const list = Object.values(ctx.data.invoices)
      .reverse()
      .filter(
        (inv) =>
          (!customer || idOf(inv.customer) === customer) &&
          (!subscription ||
            (inv.parent?.subscription_details &&
              idOf(inv.parent.subscription_details.subscription) === subscription)) &&
          (!status || inv.status === status) &&
          matchesRange(inv.created, params, 'created'),
      );
    return paginate(list, params, '/v1/invoices');
  });

  api.get('/v1/invoices/:id/lines', ({ params, path }) => {
    const invoice = ctx.require('invoices', path.id);
    return paginate([...invoice.lines.data], params, `/v1/invoices/${invoice.id}/lines`);
  });

  api.post('/v1/invoices/:id', ({ params, path }) => {
    const invoice = ctx.require('invoices', path.id);
    const before = clone(invoice);
    invoice.metadata = mergeMetadata(invoice.metadata ?? {}, params.metadata());
    if (params.has('description')) invoice.description = params.nullableString('description') ?? null;
    if (params.has('auto_advance')) invoice.auto_advance = params.bool('auto_advance');
    if (params.has('default_payment_method'))
      invoice.default_payment_method = params.nullableString('default_payment_method') ?? null;
    const changed = previousAttributes(before, invoice);
    if (changed) ctx.emit('invoice.updated', invoice, ctx.nowForCustomer(idOf(invoice.customer)!), changed);
    return invoice;
  });

  api.post('/v1/invoices/:id/finalize', ({ params, path }) => {
    const invoice = ctx.require('invoices', path.id);
    const now = ctx.nowForCustomer(idOf(invoice.customer)!);
    if (params.has('auto_advance')) invoice.auto_advance = params.bool('auto_advance');
    s.invoices.finalize(invoice, now);
    if (invoice.amount_due === 0) s.invoices.pay(invoice, now, { offSession: true });
    return invoice;
  });

  api.post('/v1/invoices/:id/pay', ({ params, path }) => {
    const invoice = ctx.require('invoices', path.id);
    const now = ctx.nowForCustomer(idOf(invoice.customer)!);
    if (invoice.status === 'draft') s.invoices.finalize(invoice, now);
    if (invoice.status === 'paid')
      throw invalidRequest('Invoice is already paid', undefined, 'invoice_already_paid');
    const pmParam = params.string('payment_method');
    const paymentMethod = pmParam ? s.paymentMethods.materialize(pmParam, 'payment_method').id : undefined;
    const result = s.invoices.pay(invoice, now, {
      offSession: params.bool('off_session') ?? true,
      paymentMethod,
    });
    if (result.kind === 'failed') throw InvoiceService.errorFor(result);
    return invoice;
  });

  api.post('/v1/invoices/:id/void', ({ path }) => {
    const invoice = ctx.require('invoices', path.id);
    s.invoices.void(invoice, ctx.nowForCustomer(idOf(invoice.customer)!));
    return invoice;
  });

  api.post('/v1/invoices/:id/mark_uncollectible', ({ path }) => {
    const invoice = ctx.require('invoices', path.id);
    s.invoices.markUncollectible(invoice, ctx.nowForCustomer(idOf(invoice.customer)!));
    return invoice;
  });

  api.get('/v1/invoice_payments', ({ params }) => {
    const invoice = params.string('invoice');
    const list = Object.values(ctx.data.invoicePayments)
      .reverse()
      .filter((p) => !invoice || idOf(p.invoice) === invoice);
    return paginate(list, params, '/v1/invoice_payments');
  });

  // ---- Invoice items -------------------------------------------------------------------------------------------
  api.post('/v1/invoiceitems', ({ params }) => {
    const customer = ctx.require('customers', params.requiredString('customer'), 'customer');
    const now = ctx.nowForCustomer(customer.id);
    const priceId = params.string('price') ?? params.child('pricing')?.string('price');
    const price = priceId ? ctx.require('prices', priceId, 'price') : null;
    const quantity = params.nonNegativeInt('quantity') ?? 1;
    const amount = price ? (price.unit_amount ?? 0) * quantity : params.int('amount');
    if (amount === undefined)
      throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
    const subscription = params.string('subscription') ?? null;
    if (subscription) ctx.require('subscriptions', subscription, 'subscription');
    const period = params.child('period');
    const item = buildInvoiceItem({
      id: newId('ii_1'),
      customer: customer.id,
      date: now,
      currency: price?.currency ?? params.string('currency')?.toLowerCase() ?? 'usd',
      amount,
      quantity,
      unitAmount: price ? (price.unit_amount ?? 0) : Math.round(amount / Math.max(1, quantity)),
      price: price?.id ?? null,
      description: params.string('description') ?? null,
      periodStart: period?.int('start') ?? now,
      periodEnd: period?.int('end') ?? now,
      proration: false,
      subscription,
      subscriptionItem: null,
      testClock: idOf(customer.test_clock),
      metadata: params.metadata() ?? {},
    });
    if (price && item.pricing?.price_details) item.pricing.price_details.product = idOf(price.product) ?? '';
    ctx.data.invoiceItems[item.id] = item;
    const invoiceId = params.string('invoice');
    if (invoiceId) {
      const invoice = ctx.require('invoices', invoiceId, 'invoice');
      if (invoice.status !== 'draft')
        throw invalidRequest('You can only add invoice items to draft invoices.', 'invoice');
      s.invoices.attachPendingItems(invoice, item.parent?.subscription_details?.subscription ?? null);
    }
    ctx.emit('invoiceitem.created', item, now);
    return item;
  });

  api.get('/v1/invoiceitems/:id', ({ path }) => ctx.require('invoiceItems', path.id));

  api.get('/v1/invoiceitems', ({ params }) => {
    const customer = params.string('customer');
    const pending = params.bool('pending');
    const list = Object.values(ctx.data.invoiceItems)
      .reverse()
      .filter(
        (ii) =>
          (!customer || idOf(ii.customer) === customer) &&
          (pending === undefined || (ii.invoice === null) === pending),
      );
    return paginate(list, params, '/v1/invoiceitems');
  });

  api.delete('/v1/invoiceitems/:id', ({ path }) => {
    const item = ctx.require('invoiceItems', path.id);
    if (item.invoice !== null)
      throw invalidRequest(
        'This invoice item is already attached to an invoice and cannot be deleted.',
        'id',
      );
    delete ctx.data.invoiceItems[item.id];
    ctx.emit('invoiceitem.deleted', item, ctx.nowForCustomer(idOf(item.customer)!));
    return { id: item.id, object: 'invoiceitem', deleted: true };
  });
}

function failMissing(param: string): never {
  throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export type { PaymentBehavior };
