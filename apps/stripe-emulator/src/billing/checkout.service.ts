/**
 * Checkout Sessions in subscription mode and what a paying customer does on the hosted page: the card is
 * attached, the subscription created (trialing, active, or incomplete when the card is declined or needs
 * authentication), the session completed. Per the emulator contract a declined card still completes the session
 * (Stripe's own page would keep the customer on it), so billing code sees the incomplete subscription.
 */
import type Stripe from 'stripe';
import { idOf, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { invalidRequest } from '../core/stripe-error';
import type { PaymentMethodService } from '../resources/customers.routes';
import { buildCustomer } from './object-builders';
import type { SubscriptionService } from './subscription.service';

export class CheckoutService {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly subscriptions: SubscriptionService,
    private readonly paymentMethods: PaymentMethodService,
  ) {}

  /** `paymentMethodAlias` null: no card, as Checkout allows with payment_method_collection=if_required and a trial. */
  complete(sessionId: string, paymentMethodAlias: string | null): Stripe.Checkout.Session {
    const session = this.ctx.require('checkoutSessions', sessionId, 'session');
    if (session.status !== 'open')
      throw invalidRequest(
        `This Checkout Session is no longer active (status: ${session.status}).`,
        'session',
        'checkout_session_not_open',
      );
    const bookkeeping = this.ctx.data.checkoutBookkeeping[session.id];
    let customer: Stripe.Customer;
    const existing = idOf(session.customer);
    if (existing) {
      customer = this.ctx.require('customers', existing, 'customer');
    } else {
      const now = this.ctx.realNow();
      customer = buildCustomer({
        id: newId('cus', 14),
        created: now,
        email: bookkeeping.customerEmail,
        name: null,
        description: null,
        metadata: {},
        testClock: null,
        balance: 0,
        defaultPaymentMethod: null,
      });
      this.ctx.data.customers[customer.id] = customer;
      this.ctx.emit('customer.created', customer, now);
    }
    const now = this.ctx.nowForCustomer(customer.id);
    const trialEnd =
      bookkeeping.trialEnd ??
      (bookkeeping.trialPeriodDays ? now + bookkeeping.trialPeriodDays * 86_400 : null);
    if (
      paymentMethodAlias === null &&
      (trialEnd === null || session.payment_method_collection !== 'if_required')
    )
      throw invalidRequest(
        'A payment method is required (payment_method_collection=if_required with a trial allows none).',
        'payment_method',
      );
    const pm =
      paymentMethodAlias === null
        ? null
        : this.paymentMethods.materialize(paymentMethodAlias, 'paymentMethod');
    if (pm) this.paymentMethods.attach(pm, customer);
    const subscription = this.subscriptions.create({
      customer: customer.id,
      items: bookkeeping.lineItems,
      trialEnd,
      metadata: bookkeeping.subscriptionMetadata,
      defaultPaymentMethod: pm?.id ?? null,
      paymentBehavior: 'allow_incomplete',
      missingPaymentMethod: bookkeeping.missingPaymentMethod,
      cancelAtPeriodEnd: false,
      offSession: false,
    });
    const invoice = this.ctx.data.invoices[idOf(subscription.latest_invoice) ?? ''];
    session.status = 'complete';
    session.customer = customer.id;
    session.subscription = subscription.id;
    session.invoice = invoice?.id ?? null;
    session.payment_status =
      invoice?.status === 'paid' ? (invoice.amount_paid > 0 ? 'paid' : 'no_payment_required') : 'unpaid';
    session.customer_details = {
      address: null,
      business_name: null,
      email: customer.email,
      individual_name: null,
      name: customer.name ?? null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    session.url = null;
    this.ctx.emit('checkout.session.completed', session, now);
    return session;
  }

  expire(session: Stripe.Checkout.Session, now: number): Stripe.Checkout.Session {
    if (session.status !== 'open')
      throw invalidRequest(`Only Checkout Sessions with a status of \`open\` can be expired.`, 'session');
    session.status = 'expired';
    session.url = null;
    this.ctx.emit('checkout.session.expired', session, now);
    return session;
  }

  /** Expires open sessions past `expires_at`, each by its own customer's time (a test clock's, or real time). */
  expireDue(): void {
    for (const session of Object.values(this.ctx.data.checkoutSessions)) {
      if (session.status !== 'open') continue;
      const customer =
        typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null);
      const now = customer ? this.ctx.nowForCustomer(customer) : this.ctx.realNow();
      if (session.expires_at <= now) this.expire(session, now);
    }
  }
}
