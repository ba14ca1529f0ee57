/**
 * Customers and card payment methods. Stripe's magic ids (pm_card_visa, tok_visa ...) and raw test card numbers
 * become a fresh pm_... each time they are used, as on Stripe.
 */
import type Stripe from 'stripe';
import { buildCardPaymentMethod, buildCustomer } from '../billing/object-builders';
import { fingerprintOf, isMagicPaymentMethod, testCardFor } from '../billing/test-cards';
import type { ApiRouter } from '../core/api-router';
import { idOf, previousAttributes, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { paginate } from '../core/list';
import { mergeMetadata } from '../core/params';
import { clone } from '../core/state';
import { invalidRequest, resourceMissing } from '../core/stripe-error';

export class PaymentMethodService {
  constructor(private readonly ctx: EmulatorContext) {}

  /** A stored payment method for `idOrAlias`, creating one for a magic id or test card number. */
  materialize(idOrAlias: string, param: string): Stripe.PaymentMethod {
    const existing = this.ctx.data.paymentMethods[idOrAlias];
    if (existing) return existing;
    if (!isMagicPaymentMethod(idOrAlias) && !/^\d{12,19}$/.test(idOrAlias))
      throw resourceMissing('PaymentMethod', idOrAlias, param);
    return this.create(idOrAlias, {}, param);
  }

  create(cardNumberOrAlias: string, metadata: Record<string, string>, param: string): Stripe.PaymentMethod {
    const card = testCardFor(cardNumberOrAlias);
    if (!card)
      throw invalidRequest(
        'Your card number is incorrect. The emulator accepts Stripe test cards only (e.g. 4242424242424242, pm_card_visa, tok_visa).',
        param,
        'incorrect_number',
      );
    const now = this.ctx.realNow();
    const pm = buildCardPaymentMethod({
      id: newId('pm_1'),
      created: now,
      brand: card.brand,
      last4: card.last4,
      funding: card.funding,
      country: card.country,
      fingerprint: fingerprintOf(card),
      customer: null,
      metadata,
    });
    this.ctx.data.paymentMethods[pm.id] = pm;
    this.ctx.data.paymentMethodCards[pm.id] = cardNumberOrAlias;
    return pm;
  }

  attach(pm: Stripe.PaymentMethod, customer: Stripe.Customer): Stripe.PaymentMethod {
    const current = idOf(pm.customer);
    if (current === customer.id) return pm;
    if (current !== null)
      throw invalidRequest(
        'The payment method you provided has already been attached to a customer.',
        'payment_method',
        'payment_method_unexpected_state',
      );
    pm.customer = customer.id;
    this.ctx.emit('payment_method.attached', pm, this.ctx.nowForCustomer(customer.id));
    return pm;
  }

  setCustomerDefault(customer: Stripe.Customer, paymentMethod: string | null): void {
    const before = clone(customer);
    customer.invoice_settings.default_payment_method = paymentMethod;
    const changed = previousAttributes(before, customer);
    if (changed) this.ctx.emit('customer.updated', customer, this.ctx.nowForCustomer(customer.id), changed);
  }
}

export function registerCustomerRoutes(
  api: ApiRouter,
  ctx: EmulatorContext,
  paymentMethods: PaymentMethodService,
): void {
  api.post('/v1/customers', ({ params }) => {
    const clockId = params.string('test_clock') ?? null;
    if (clockId) ctx.require('testClocks', clockId, 'test_clock');
    const now = ctx.nowForClock(clockId);
    const customer = buildCustomer({
      id: newId('cus', 14),
      created: now,
      email: params.string('email') ?? null,
      name: params.string('name') ?? null,
      description: params.string('description') ?? null,
      metadata: params.metadata() ?? {},
      testClock: clockId,
      balance: params.int('balance') ?? 0,
      defaultPaymentMethod: null,
    });
    ctx.data.customers[customer.id] = customer;
    ctx.emit('customer.created', customer, now);
    const pmParam = params.string('payment_method');
    if (pmParam) paymentMethods.attach(paymentMethods.materialize(pmParam, 'payment_method'), customer);
    const defaultPm = params.child('invoice_settings')?.string('default_payment_method');
    if (defaultPm) {
      const pm = ctx.require(
        'paymentMethods',
        defaultPm === pmParam ? lastAttached(ctx, customer.id) : defaultPm,
        'invoice_settings[default_payment_method]',
      );
      assertAttached(pm, customer.id, 'invoice_settings[default_payment_method]');
      paymentMethods.setCustomerDefault(customer, pm.id);
    }
    return customer;
  });

  api.get('/v1/customers/:id', ({ path }) => {
    const customer = ctx.data.customers[path.id];
    if (!customer) {
      if (path.id in ctx.data.deletedCustomers) return { id: path.id, object: 'customer', deleted: true };
      throw resourceMissing('customer', path.id);
    }
    return customer;
  });

  api.post('/v1/customers/:id', ({ params, path }) => {
    const customer = ctx.require('customers', path.id);
    const before = clone(customer);
    if (params.has('email')) customer.email = params.nullableString('email') ?? null;
    if (params.has('name')) customer.name = params.nullableString('name') ?? null;
    if (params.has('description')) customer.description = params.nullableString('description') ?? null;
    if (params.has('balance')) customer.balance = params.int('balance') ?? 0;
    customer.metadata = mergeMetadata(customer.metadata, params.metadata());
    const settings = params.child('invoice_settings');
    if (settings?.has('default_payment_method')) {
      const pmId = settings.nullableString('default_payment_method') ?? null;
      if (pmId)
        assertAttached(
          ctx.require('paymentMethods', pmId, 'invoice_settings[default_payment_method]'),
          customer.id,
          'invoice_settings[default_payment_method]',
        );
      customer.invoice_settings.default_payment_method = pmId;
    }
    const changed = previousAttributes(before, customer);
    if (changed) ctx.emit('customer.updated', customer, ctx.nowForCustomer(customer.id), changed);
    return customer;
  });

  api.delete('/v1/customers/:id', ({ path }) => {
    const customer = ctx.require('customers', path.id);
    const now = ctx.nowForCustomer(customer.id);
    for (const sub of Object.values(ctx.data.subscriptions))
      if (
        idOf(sub.customer) === customer.id &&
        sub.status !== 'canceled' &&
        sub.status !== 'incomplete_expired'
      ) {
        sub.status = 'canceled';
        sub.ended_at = now;
        sub.canceled_at ??= now;
        ctx.emit('customer.subscription.deleted', sub, now);
      }
    delete ctx.data.customers[customer.id];
    ctx.data.deletedCustomers[customer.id] = true;
    ctx.emit('customer.deleted', customer, now);
    return { id: customer.id, object: 'customer', deleted: true };
  });

  api.get('/v1/customers', ({ params }) => {
    const email = params.string('email');
    const clock = params.string('test_clock');
    const list = Object.values(ctx.data.customers)
      .reverse()
      .filter((c) => (!email || c.email === email) && (!clock || idOf(c.test_clock) === clock));
    return paginate(list, params, '/v1/customers');
  });

  api.post('/v1/payment_methods', ({ params }) => {
    const type = params.string('type') ?? 'card';
    if (type !== 'card')
      throw invalidRequest(`The emulator supports payment methods of type card only.`, 'type');
    const card = params.child('card');
    const source = card?.string('token') ?? card?.string('number');
    if (!source)
      throw invalidRequest('Missing required param: card[number].', 'card[number]', 'parameter_missing');
    return paymentMethods.create(
      source,
      params.metadata() ?? {},
      card?.has('token') ? 'card[token]' : 'card[number]',
    );
  });

  api.get('/v1/payment_methods/:id', ({ path }) => ctx.require('paymentMethods', path.id));

  api.post('/v1/payment_methods/:id/attach', ({ params, path }) => {
    const customer = ctx.require('customers', params.requiredString('customer'), 'customer');
    const pm = paymentMethods.materialize(path.id, 'payment_method');
    return paymentMethods.attach(pm, customer);
  });

  api.post('/v1/payment_methods/:id/detach', ({ path }) => {
    const pm = ctx.require('paymentMethods', path.id);
    const customerId = idOf(pm.customer);
    if (!customerId)
      throw invalidRequest(
        'The payment method you provided is not attached to a customer so detachment is impossible.',
        'payment_method',
        'payment_method_unexpected_state',
      );
    const now = ctx.nowForCustomer(customerId);
    const before = clone(pm);
    pm.customer = null;
    const customer = ctx.data.customers[customerId];
    if (customer && idOf(customer.invoice_settings.default_payment_method) === pm.id)
      paymentMethods.setCustomerDefault(customer, null);
    for (const sub of Object.values(ctx.data.subscriptions))
      if (idOf(sub.default_payment_method) === pm.id) sub.default_payment_method = null;
    ctx.emit('payment_method.detached', pm, now, previousAttributes(before, pm));
    return pm;
  });

  const listPaymentMethods = (
    customerId: string,
    type: string | undefined,
    params: Parameters<typeof paginate>[1],
    url: string,
  ) => {
    ctx.require('customers', customerId, 'customer');
    const list = Object.values(ctx.data.paymentMethods)
      .reverse()
      .filter((pm) => idOf(pm.customer) === customerId && (!type || pm.type === type));
    return paginate(list, params, url);
  };
  api.get('/v1/payment_methods', ({ params }) =>
    listPaymentMethods(
      params.requiredString('customer'),
      params.string('type'),
      params,
      '/v1/payment_methods',
    ),
  );
  api.get('/v1/customers/:id/payment_methods', ({ params, path }) =>
    listPaymentMethods(path.id, params.string('type'), params, `/v1/customers/${path.id}/payment_methods`),
  );
}

function lastAttached(ctx: EmulatorContext, customerId: string): string {
  const attached = Object.values(ctx.data.paymentMethods).filter((pm) => idOf(pm.customer) === customerId);
  return attached[attached.length - 1]?.id ?? '';
}

function assertAttached(pm: Stripe.PaymentMethod, customerId: string, param: string): void {
  if (idOf(pm.customer) !== customerId)
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`,
      param,
    );
}
