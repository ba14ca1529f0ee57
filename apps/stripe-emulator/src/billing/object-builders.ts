/**
 * Builders for every object the emulator returns, typed against the installed stripe package's own types
 * (API version pinned by that package), so a shape drift in a new SDK fails compilation here, not in a test.
 * Fields the emulator does not model carry Stripe's "not in use" value (null, [], {}, false).
 */
import type Stripe from 'stripe';

export const API_VERSION = '2026-10-28.endive';

/** v1 JSON carries decimals as strings; the SDK's branded Decimal type is only the client-side coercion. */
export function decimal(value: number): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

const NO_ADDRESS: Stripe.Address = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

export function buildProduct(input: {
  id: string;
  name: string;
  created: number;
  active: boolean;
  description: string | null;
  metadata: Record<string, string>;
}): Stripe.Product {
  return {
    id: input.id,
    object: 'product',
    active: input.active,
    created: input.created,
    default_price: null,
    description: input.description,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata,
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: input.created,
    url: null,
  };
}

export function buildPrice(input: {
  id: string;
  product: string;
  created: number;
  currency: string;
  unitAmount: number;
  active: boolean;
  lookupKey: string | null;
  nickname: string | null;
  metadata: Record<string, string>;
  recurring: { interval: Stripe.Price.Recurring.Interval; intervalCount: number } | null;
}): Stripe.Price {
  return {
    id: input.id,
    object: 'price',
    active: input.active,
    billing_scheme: 'per_unit',
    created: input.created,
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookupKey,
    metadata: input.metadata,
    nickname: input.nickname,
    product: input.product,
    recurring: input.recurring
      ? {
          interval: input.recurring.interval,
          interval_count: input.recurring.intervalCount,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring ? 'recurring' : 'one_time',
    unit_amount: input.unitAmount,
    unit_amount_decimal: decimal(input.unitAmount),
  };
}

export function planFromPrice(price: Stripe.Price): Stripe.Plan {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: typeof price.product === 'string' ? price.product : price.product.id,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export function buildCustomer(input: {
  id: string;
  created: number;
  email: string | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  testClock: string | null;
  balance: number;
  defaultPaymentMethod: string | null;
}): Stripe.Customer {
  return {
    id: input.id,
    object: 'customer',
    address: null,
    balance: input.balance,
    created: input.created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: input.description,
    discount: null,
    email: input.email,
    invoice_prefix: input.id.slice(4, 12).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: input.defaultPaymentMethod,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: input.metadata,
    name: input.name,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: input.testClock,
  };
}

export function buildCardPaymentMethod(input: {
  id: string;
  created: number;
  brand: string;
  last4: string;
  funding: string;
  country: string;
  fingerprint: string;
  customer: string | null;
  metadata: Record<string, string>;
}): Stripe.PaymentMethod {
  return {
    id: input.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: NO_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: input.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: input.country,
      display_brand: input.brand,
      exp_month: 12,
      exp_year: 2034,
      fingerprint: input.fingerprint,
      funding: input.funding,
      generated_from: null,
      last4: input.last4,
      networks: { available: [input.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: input.created,
    customer: input.customer,
    customer_account: null,
    livemode: false,
    metadata: input.metadata,
    type: 'card',
  };
}

export function buildSubscriptionItem(input: {
  id: string;
  subscription: string;
  created: number;
  price: Stripe.Price;
  quantity: number;
  periodStart: number;
  periodEnd: number;
  metadata: Record<string, string>;
}): Stripe.SubscriptionItem {
  return {
    id: input.id,
    object: 'subscription_item',
    billing_thresholds: null,
    created: input.created,
    current_period_end: input.periodEnd,
    current_period_start: input.periodStart,
    current_trial: null,
    discounts: [],
    metadata: input.metadata,
    plan: planFromPrice(input.price),
    price: input.price,
    quantity: input.quantity,
    subscription: input.subscription,
    tax_rates: [],
  };
}

export function buildSubscription(input: {
  id: string;
  customer: string;
  created: number;
  currency: string;
  items: Stripe.SubscriptionItem[];
  status: Stripe.Subscription.Status;
  billingCycleAnchor: number;
  trialStart: number | null;
  trialEnd: number | null;
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
  testClock: string | null;
  missingPaymentMethod: Stripe.Subscription.TrialSettings.EndBehavior.MissingPaymentMethod;
  cancelAtPeriodEnd: boolean;
}): Stripe.Subscription {
  return {
    id: input.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: input.billingCycleAnchor,
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'classic', flexible: null },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: input.cancelAtPeriodEnd,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: input.created,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: {
      object: 'list',
      data: input.items,
      has_more: false,
      url: `/v1/subscription_items?subscription=${input.id}`,
    },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: input.created,
    status: input.status,
    test_clock: input.testClock,
    transfer_data: null,
    trial_end: input.trialEnd,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: input.missingPaymentMethod },
    },
    trial_start: input.trialStart,
  };
}

export function buildInvoice(input: {
  id: string;
  customer: Stripe.Customer;
  created: number;
  currency: string;
  billingReason: Stripe.Invoice.BillingReason;
  subscription: Stripe.Subscription | null;
  periodStart: number;
  periodEnd: number;
  autoAdvance: boolean;
  baseUrl: string;
  metadata: Record<string, string>;
  description: string | null;
}): Stripe.Invoice {
  return {
    id: input.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Tollgate Emulator',
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: input.autoAdvance,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: 'charge_automatically',
    created: input.created,
    currency: input.currency,
    custom_fields: null,
    customer: input.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: input.customer.email,
    customer_name: input.customer.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: input.description,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${input.id}/lines` },
    livemode: false,
    metadata: input.metadata,
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: input.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: {
            metadata: input.subscription.metadata,
            subscription: input.subscription.id,
          },
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.periodEnd,
    period_start: input.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: input.customer.test_clock ?? null,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

export function buildInvoiceItem(input: {
  id: string;
  customer: string;
  date: number;
  currency: string;
  amount: number;
  quantity: number;
  unitAmount: number;
  price: string | null;
  description: string | null;
  periodStart: number;
  periodEnd: number;
  proration: boolean;
  subscription: string | null;
  subscriptionItem: string | null;
  testClock: string | null;
  metadata: Record<string, string>;
}): Stripe.InvoiceItem {
  return {
    id: input.id,
    object: 'invoiceitem',
    amount: input.amount,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    date: input.date,
    description: input.description,
    discountable: !input.proration,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: input.metadata,
    net_amount: input.amount,
    parent: input.subscription
      ? {
          type: 'subscription_details',
          subscription_details: {
            subscription: input.subscription,
            subscription_item: input.subscriptionItem ?? undefined,
          },
        }
      : null,
    period: { start: input.periodStart, end: input.periodEnd },
    pricing: input.price
      ? {
          type: 'price_details',
          price_details: { price: input.price, product: '' },
          unit_amount_decimal: decimal(input.unitAmount),
        }
      : null,
    proration: input.proration,
    quantity: input.quantity,
    quantity_decimal: decimal(input.quantity),
    tax_rates: [],
    test_clock: input.testClock,
  };
}

export function buildLineItem(input: {
  id: string;
  invoice: string;
  amount: number;
  currency: string;
  description: string | null;
  quantity: number;
  unitAmount: number | null;
  price: string | null;
  product: string | null;
  periodStart: number;
  periodEnd: number;
  proration: boolean;
  subscription: string | null;
  subscriptionItem: string | null;
  invoiceItem: string | null;
  metadata: Record<string, string>;
}): Stripe.InvoiceLineItem {
  const parent: Stripe.InvoiceLineItem.Parent = input.invoiceItem
    ? {
        type: 'invoice_item_details',
        invoice_item_details: {
          invoice_item: input.invoiceItem,
          proration: input.proration,
          proration_details: input.proration ? { credited_items: null } : null,
          subscription: input.subscription,
        },
        subscription_item_details: null,
      }
    : {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: input.proration,
          proration_details: input.proration ? { credited_items: null } : null,
          subscription: input.subscription,
          subscription_item: input.subscriptionItem ?? '',
        },
      };
  return {
    id: input.id,
    object: 'line_item',
    amount: input.amount,
    currency: input.currency,
    description: input.description,
    discount_amounts: [],
    discountable: !input.proration,
    discounts: [],
    invoice: input.invoice,
    livemode: false,
    metadata: input.metadata,
    parent,
    period: { start: input.periodStart, end: input.periodEnd },
    pretax_credit_amounts: [],
    pricing:
      input.price && input.product
        ? {
            type: 'price_details',
            price_details: { price: input.price, product: input.product },
            unit_amount_decimal: input.unitAmount === null ? null : decimal(input.unitAmount),
          }
        : null,
    quantity: input.quantity,
    quantity_decimal: decimal(input.quantity),
    subscription: input.subscription,
    subtotal: input.amount,
    taxes: [],
  };
}

export function buildInvoicePayment(input: {
  id: string;
  invoice: string;
  created: number;
  currency: string;
  amount: number;
  paymentIntent: string;
  paid: boolean;
}): Stripe.InvoicePayment {
  return {
    id: input.id,
    object: 'invoice_payment',
    amount_paid: input.paid ? input.amount : null,
    amount_requested: input.amount,
    created: input.created,
    currency: input.currency,
    invoice: input.invoice,
    is_default: true,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: input.paymentIntent },
    status: input.paid ? 'paid' : 'open',
    status_transitions: { canceled_at: null, paid_at: input.paid ? input.created : null },
  };
}

export function buildTestClock(input: {
  id: string;
  created: number;
  frozenTime: number;
  name: string | null;
}) {
  const clock: Stripe.TestHelpers.TestClock = {
    id: input.id,
    object: 'test_helpers.test_clock',
    created: input.created,
    deletes_after: input.created + 30 * 86_400,
    frozen_time: input.frozenTime,
    livemode: false,
    name: input.name,
    status: 'ready',
    status_details: {},
  };
  return clock;
}

export function buildWebhookEndpoint(input: {
  id: string;
  created: number;
  url: string;
  enabledEvents: string[];
  description: string | null;
  metadata: Record<string, string>;
}): Stripe.WebhookEndpoint {
  return {
    id: input.id,
    object: 'webhook_endpoint',
    api_version: null,
    application: null,
    created: input.created,
    description: input.description,
    enabled_events: input.enabledEvents,
    livemode: false,
    metadata: input.metadata,
    status: 'enabled',
    url: input.url,
  };
}

export function buildEvent(input: {
  id: string;
  type: string;
  created: number;
  object: object;
  previousAttributes: Record<string, unknown> | undefined;
  requestId: string | null;
  idempotencyKey: string | null;
}): Stripe.Event {
  return {
    id: input.id,
    object: 'event',
    api_version: API_VERSION,
    created: input.created,
    data: {
      object: input.object as Stripe.Event.Data.Object,
      ...(input.previousAttributes ? { previous_attributes: input.previousAttributes } : {}),
    },
    livemode: false,
    pending_webhooks: 0,
    request: { id: input.requestId, idempotency_key: input.idempotencyKey },
    type: input.type as Stripe.Event.Type,
  } as Stripe.Event;
}

export function buildCheckoutSession(input: {
  id: string;
  created: number;
  expiresAt: number;
  url: string;
  customer: string | null;
  customerEmail: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  successUrl: string | null;
  cancelUrl: string | null;
  currency: string;
  amountTotal: number;
}): Stripe.Checkout.Session {
  return {
    id: input.id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: input.amountTotal,
    amount_total: input.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: input.created,
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: input.customer,
    customer_account: null,
    customer_creation: input.customer ? null : 'always',
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: input.metadata,
    mode: 'subscription',
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: input.url,
    wallet_options: null,
  };
}

export function buildCheckoutLineItem(input: {
  id: string;
  price: Stripe.Price;
  quantity: number;
  description: string;
}): Stripe.LineItem {
  const amount = (input.price.unit_amount ?? 0) * input.quantity;
  return {
    id: input.id,
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: input.price.currency,
    description: input.description,
    metadata: {},
    price: input.price,
    quantity: input.quantity,
  };
}

export function buildPortalSession(input: {
  id: string;
  created: number;
  customer: string;
  returnUrl: string | null;
  url: string;
}): Stripe.BillingPortal.Session {
  return {
    id: input.id,
    object: 'billing_portal.session',
    configuration: 'bpc_emulator_default',
    created: input.created,
    customer: input.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: input.returnUrl,
    url: input.url,
  };
}
