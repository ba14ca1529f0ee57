/**
 * The one place billing talks to Stripe. Every mutating call carries an Idempotency-Key derived from what
 * it does (never random), so a retry after a crash or a double click lands on the same Stripe object.
 */
import type Stripe from 'stripe';
import { DomainError, ErrorCode } from '@tollgate/contracts';

export interface StripePriceInfo {
  id: string;
  lookupKey: string | null;
  amount: number | null;
  currency: string;
  interval: string | null;
  productId: string;
}

export interface CheckoutSessionParams {
  customerId: string;
  tenantId: string;
  lineItems: { price: string; quantity: number }[];
  trialDays: number;
  successUrl: string;
  cancelUrl: string;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

const priceInfo = (price: Stripe.Price): StripePriceInfo => ({
  id: price.id,
  lookupKey: price.lookup_key,
  amount: price.unit_amount,
  currency: price.currency,
  interval: price.recurring?.interval ?? null,
  productId: typeof price.product === 'string' ? price.product : price.product.id,
});

/** Stripe failures become domain errors: unreachable → upstream_unavailable, refused → stripe_error. */
export function asDomainError(error: unknown): unknown {
  const e = error as { type?: string; statusCode?: number; message?: string; code?: string };
  if (typeof e?.type !== 'string' || !e.type.startsWith('Stripe')) return error;
  if (e.type === 'StripeIdempotencyError')
    return new DomainError(
      ErrorCode.IdempotencyConflict,
      'this Idempotency-Key was used for another request',
    );
  if (
    e.type === 'StripeConnectionError' ||
    e.type === 'StripeAPIError' ||
    (e.statusCode ?? 0) >= 500 ||
    e.statusCode === 429
  )
    return new DomainError(ErrorCode.UpstreamUnavailable, 'Stripe is unavailable; try again');
  return new DomainError(
    ErrorCode.StripeError,
    `Stripe refused the request: ${e.message ?? 'unknown error'}`,
    {
      ...(e.code ? { stripeCode: e.code } : {}),
    },
  );
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw asDomainError(error);
  }
}

export interface SubscriptionUpdate {
  items?: { id?: string; price?: string; quantity?: number; deleted?: boolean }[];
  prorationBehavior?: 'always_invoice' | 'create_prorations' | 'none';
  prorationDate?: number;
  cancelAtPeriodEnd?: boolean;
}

export class StripeGateway {
  constructor(private readonly stripe: Stripe) {}

  async pricesByLookupKeys(lookupKeys: string[]): Promise<StripePriceInfo[]> {
    const out: StripePriceInfo[] = [];
    // Stripe accepts at most 10 lookup keys per list call.
    for (let i = 0; i < lookupKeys.length; i += 10) {
      const page = await this.stripe.prices.list({
        lookup_keys: lookupKeys.slice(i, i + 10),
        active: true,
        limit: 100,
      });
      out.push(...page.data.map(priceInfo));
    }
    return out;
  }

  async findProductByKey(productKey: string): Promise<string | null> {
    for await (const product of this.stripe.products.list({ limit: 100 }))
      if (product.metadata?.tollgate_product === productKey) return product.id;
    return null;
  }

  async createProduct(productKey: string, name: string, idempotencyKey: string): Promise<string> {
    const product = await this.stripe.products.create(
      { name, metadata: { tollgate_product: productKey } },
      { idempotencyKey },
    );
    return product.id;
  }

  async createPrice(
    params: {
      productId: string;
      lookupKey: string;
      amount: number;
      currency: string;
      interval: 'month' | 'year';
    },
    idempotencyKey: string,
  ): Promise<StripePriceInfo> {
    const price = await this.stripe.prices.create(
      {
        product: params.productId,
        lookup_key: params.lookupKey,
        transfer_lookup_key: true,
        unit_amount: params.amount,
        currency: params.currency,
        recurring: { interval: params.interval },
        metadata: { tollgate_lookup_key: params.lookupKey },
      },
      { idempotencyKey },
    );
    return priceInfo(price);
  }

  async createCustomer(
    params: { tenantId: string; name: string; email: string; locale: string; testClock?: string },
    idempotencyKey: string,
  ): Promise<string> {
    const customer = await call(() =>
      this.stripe.customers.create(
        {
          name: params.name,
          email: params.email,
          metadata: { tenant_id: params.tenantId },
          preferred_locales: [params.locale],
          ...(params.testClock ? { test_clock: params.testClock } : {}),
        },
        { idempotencyKey },
      ),
    );
    return customer.id;
  }

  async createCheckoutSession(params: CheckoutSessionParams): Promise<Stripe.Checkout.Session> {
    return call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer: params.customerId,
          client_reference_id: params.tenantId,
          line_items: params.lineItems,
          // A trial needs no card; without one at trial end the subscription is canceled (back to Free).
          payment_method_collection: params.trialDays > 0 ? 'if_required' : 'always',
          subscription_data: {
            metadata: { tenant_id: params.tenantId },
            ...(params.trialDays > 0
              ? {
                  trial_period_days: params.trialDays,
                  trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
                }
              : {}),
          },
          success_url: params.successUrl,
          cancel_url: params.cancelUrl,
          metadata: params.metadata,
        },
        { idempotencyKey: params.idempotencyKey },
      ),
    );
  }

  async expireCheckoutSession(sessionId: string): Promise<void> {
    try {
      await this.stripe.checkout.sessions.expire(sessionId);
    } catch (error) {
      // Already completed or expired: nothing left to expire.
      if ((error as { statusCode?: number }).statusCode !== 400) throw asDomainError(error);
    }
  }

  async createPortalSession(customerId: string, returnUrl: string): Promise<string> {
    const session = await call(() =>
      this.stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl }),
    );
    return session.url;
  }

  /**
   * A change that is charged now is made with payment_behavior pending_if_incomplete: if Stripe cannot
   * collect the invoice, the subscription is left as it was and the caller gets the card error.
   */
  async updateSubscription(
    id: string,
    update: SubscriptionUpdate,
    idempotencyKey: string,
  ): Promise<Stripe.Subscription> {
    return call(() =>
      this.stripe.subscriptions.update(
        id,
        {
          ...(update.items ? { items: update.items } : {}),
          ...(update.prorationBehavior ? { proration_behavior: update.prorationBehavior } : {}),
          ...(update.prorationDate ? { proration_date: update.prorationDate } : {}),
          ...(update.items ? { payment_behavior: 'pending_if_incomplete' as const } : {}),
          ...(update.cancelAtPeriodEnd !== undefined
            ? { cancel_at_period_end: update.cancelAtPeriodEnd }
            : {}),
        },
        { idempotencyKey },
      ),
    );
  }

  /** Cancels now, without a refund or a final invoice (seed 004: immediate cancellation, no refund). */
  async cancelSubscription(id: string, idempotencyKey: string): Promise<Stripe.Subscription> {
    return call(() =>
      this.stripe.subscriptions.cancel(id, { prorate: false, invoice_now: false }, { idempotencyKey }),
    );
  }

  /** Stripe's invoice preview for a change of `subscriptionId` (invoices.createPreview). */
  async previewChange(params: {
    customerId: string;
    subscriptionId: string;
    items: SubscriptionUpdate['items'];
    prorationBehavior: 'always_invoice' | 'create_prorations' | 'none';
    prorationDate: number;
  }): Promise<Stripe.Invoice> {
    return call(() =>
      this.stripe.invoices.createPreview({
        customer: params.customerId,
        subscription: params.subscriptionId,
        subscription_details: {
          items: params.items,
          proration_behavior: params.prorationBehavior,
          proration_date: params.prorationDate,
        },
      }),
    );
  }

  /** Stripe's "now" for a customer on a test clock: the clock's frozen time. */
  async testClockTime(clockId: string): Promise<Date> {
    const clock = await call(() => this.stripe.testHelpers.testClocks.retrieve(clockId));
    return new Date(clock.frozen_time * 1000);
  }

  async retrieveSubscription(id: string): Promise<Stripe.Subscription> {
    return this.stripe.subscriptions.retrieve(id);
  }

  async retrieveInvoice(id: string): Promise<Stripe.Invoice> {
    return this.stripe.invoices.retrieve(id);
  }

  async cardOf(paymentMethodId: string): Promise<{ brand: string; last4: string } | null> {
    const pm = await this.stripe.paymentMethods.retrieve(paymentMethodId);
    return pm.card ? { brand: pm.card.brand, last4: pm.card.last4 } : null;
  }
}
