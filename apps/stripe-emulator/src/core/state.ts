/**
 * The emulator's whole world, in memory: Stripe-shaped objects keyed by id (insertion order = creation order),
 * plus the bookkeeping Stripe keeps out of its objects (which reminders were sent, webhook secrets).
 * Everything here is plain JSON so the optional snapshot file is just this object serialised.
 */
import type Stripe from 'stripe';

export interface SubscriptionBookkeeping {
  trialWillEndSent: boolean;
  upcomingSentForPeriodEnd: number | null;
  /** Stripe's trial_settings are echoed on the object; kept here too so trial end reads one place. */
  missingPaymentMethod: 'cancel' | 'pause' | 'create_invoice';
}

export interface CheckoutBookkeeping {
  lineItems: Array<{ price: string; quantity: number }>;
  trialPeriodDays: number | null;
  trialEnd: number | null;
  subscriptionMetadata: Record<string, string>;
  missingPaymentMethod: 'cancel' | 'pause' | 'create_invoice';
  customerEmail: string | null;
}

export interface EmulatorData {
  products: Record<string, Stripe.Product>;
  prices: Record<string, Stripe.Price>;
  customers: Record<string, Stripe.Customer>;
  paymentMethods: Record<string, Stripe.PaymentMethod>;
  checkoutSessions: Record<string, Stripe.Checkout.Session>;
  portalSessions: Record<string, Stripe.BillingPortal.Session>;
  subscriptions: Record<string, Stripe.Subscription>;
  invoices: Record<string, Stripe.Invoice>;
  invoiceItems: Record<string, Stripe.InvoiceItem>;
  invoicePayments: Record<string, Stripe.InvoicePayment>;
  testClocks: Record<string, Stripe.TestHelpers.TestClock>;
  events: Record<string, Stripe.Event>;
  webhookEndpoints: Record<string, Stripe.WebhookEndpoint>;
  /** whsec_ secrets; Stripe returns them only on create. */
  webhookSecrets: Record<string, string>;
  subscriptionBookkeeping: Record<string, SubscriptionBookkeeping>;
  checkoutBookkeeping: Record<string, CheckoutBookkeeping>;
  /** Which test card number stands behind each payment method; decides how charges on it go. */
  paymentMethodCards: Record<string, string>;
  /** Deleted customers still answer retrieve with `{deleted: true}`, as on Stripe. */
  deletedCustomers: Record<string, true>;
}

export function emptyData(): EmulatorData {
  return {
    products: {},
    prices: {},
    customers: {},
    paymentMethods: {},
    checkoutSessions: {},
    portalSessions: {},
    subscriptions: {},
    invoices: {},
    invoiceItems: {},
    invoicePayments: {},
    testClocks: {},
    events: {},
    webhookEndpoints: {},
    webhookSecrets: {},
    subscriptionBookkeeping: {},
    checkoutBookkeeping: {},
    paymentMethodCards: {},
    deletedCustomers: {},
  };
}

export type CollectionName = {
  [K in keyof EmulatorData]: EmulatorData[K] extends Record<string, { object: string }> ? K : never;
}[keyof EmulatorData];

/** Which collection an id lives in, by Stripe's prefix; drives `expand[]` of any id-valued field. */
const PREFIXES: Array<[string, CollectionName]> = [
  ['prod_', 'products'],
  ['price_', 'prices'],
  ['cus_', 'customers'],
  ['pm_', 'paymentMethods'],
  ['cs_', 'checkoutSessions'],
  ['bps_', 'portalSessions'],
  ['sub_', 'subscriptions'],
  ['in_', 'invoices'],
  ['ii_', 'invoiceItems'],
  ['inpay_', 'invoicePayments'],
  ['clock_', 'testClocks'],
  ['evt_', 'events'],
  ['we_', 'webhookEndpoints'],
];

export function collectionForId(id: string): CollectionName | undefined {
  return PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1];
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
