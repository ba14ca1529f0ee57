/**
 * Drift classification, pure: one Stripe object beside Tollgate's row → at most one finding.
 *
 * Policy (what is repaired automatically):
 * - safe: Stripe is the source of truth and the projection can apply its current object as if an event had
 *   said so: `missing_locally`, `status_differs`, `plan_differs` (plan, interval, seats), `period_differs`,
 *   `details_differ` (credit balance, default card);
 * - unsafe, reported for an operator: `unknown_tenant` (a customer or subscription Tollgate cannot place),
 *   `unknown_price` (no catalog plan price), `missing_in_stripe`, `duplicate_live` (two live subscriptions
 *   for one customer: which one to keep is a business decision).
 * A local row changed after the object was listed (`lastEventAt > observedAt`) is newer than what we hold:
 * no finding. Status outranks plan, plan outranks period; every differing field is in `detail.fields`.
 */
import type Stripe from 'stripe';
import type { DriftKind } from '@tollgate/contracts';
import {
  subscriptionSnapshot,
  UnknownPriceError,
  type PriceResolver,
  type SubscriptionSnapshot,
} from '../../services/stripe-subscription.transform';
import { invoiceSnapshot } from '../../services/stripe-invoice.transform';
import { isLive } from '../../services/subscription-state.machine';

export interface Finding {
  kind: DriftKind;
  safe: boolean;
  detail: Record<string, unknown>;
}

export const SAFE_KINDS: ReadonlySet<DriftKind> = new Set([
  'missing_locally',
  'status_differs',
  'plan_differs',
  'period_differs',
  'details_differ',
]);

const finding = (kind: DriftKind, detail: Record<string, unknown> = {}): Finding => ({
  kind,
  safe: SAFE_KINDS.has(kind),
  detail,
});

type Comparable = string | number | boolean | Date | null;
const same = (a: Comparable, b: Comparable): boolean =>
  a instanceof Date || b instanceof Date
    ? (a instanceof Date ? a.getTime() : a) === (b instanceof Date ? b.getTime() : b)
    : a === b;
const show = (v: Comparable) => (v instanceof Date ? v.toISOString() : v);

function differing<T extends object>(
  local: T,
  stripe: T,
  fields: readonly (keyof T & string)[],
): Record<string, { local: unknown; stripe: unknown }> {
  const out: Record<string, { local: unknown; stripe: unknown }> = {};
  for (const field of fields) {
    const a = local[field] as Comparable;
    const b = stripe[field] as Comparable;
    if (!same(a, b)) out[field] = { local: show(a), stripe: show(b) };
  }
  return out;
}

/** The parts of billing's subscription row that mirror Stripe. */
export interface LocalSubscription {
  tenantId: string;
  plan: string;
  interval: string;
  stripeStatus: string;
  state: string;
  purchasedSeats: number;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  cancelAt: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
  lastEventAt: Date;
}

const STATUS_FIELDS = ['state', 'stripeStatus'] as const;
const PLAN_FIELDS = ['plan', 'interval', 'purchasedSeats'] as const;
const PERIOD_FIELDS = [
  'currentPeriodStart',
  'currentPeriodEnd',
  'trialEnd',
  'cancelAt',
  'cancelAtPeriodEnd',
  'canceledAt',
  'endedAt',
] as const;

export type SubscriptionView =
  | { ok: true; snapshot: SubscriptionSnapshot; live: boolean }
  | { ok: false; customerId: string; live: boolean };

/** The snapshot of a listed subscription, or the fact that none of its prices is a catalog plan price. */
export function viewSubscription(
  subscription: Stripe.Subscription,
  resolve: PriceResolver,
): SubscriptionView {
  try {
    const snapshot = subscriptionSnapshot(subscription, resolve);
    return { ok: true, snapshot, live: isLive(snapshot.state) };
  } catch (error) {
    if (!(error instanceof UnknownPriceError)) throw error;
    const customer = subscription.customer;
    return {
      ok: false,
      customerId: typeof customer === 'string' ? customer : customer.id,
      live: ['trialing', 'active', 'past_due', 'unpaid'].includes(subscription.status),
    };
  }
}

export function classifySubscription(input: {
  view: SubscriptionView;
  /** The tenant owning the subscription's customer here, if any. */
  tenantId: string | null;
  local: LocalSubscription | null;
  observedAt: Date;
}): Finding | null {
  const { view, tenantId, local, observedAt } = input;
  if (!tenantId) return finding('unknown_tenant', { reason: 'no tenant has this Stripe customer' });
  if (!view.ok) return finding('unknown_price', { reason: 'no item is on a catalog plan price' });
  const snapshot = view.snapshot;
  if (!local) {
    // Never paid (incomplete): the projection mirrors nothing for it either.
    if (snapshot.state === 'none') return null;
    return finding('missing_locally', { stripe: { state: snapshot.state, plan: snapshot.plan } });
  }
  if (local.lastEventAt.getTime() > observedAt.getTime()) return null;
  if (local.tenantId !== tenantId)
    return finding('unknown_tenant', {
      reason: 'the local row belongs to another tenant',
      local: local.tenantId,
    });
  const stripeSide: LocalSubscription = { ...snapshot, tenantId, lastEventAt: observedAt };
  const fields = {
    ...differing(local, stripeSide, STATUS_FIELDS),
    ...differing(local, stripeSide, PLAN_FIELDS),
    ...differing(local, stripeSide, PERIOD_FIELDS),
  };
  const names = Object.keys(fields);
  if (names.length === 0) return null;
  const kind: DriftKind = names.some((n) => (STATUS_FIELDS as readonly string[]).includes(n))
    ? 'status_differs'
    : names.some((n) => (PLAN_FIELDS as readonly string[]).includes(n))
      ? 'plan_differs'
      : 'period_differs';
  return finding(kind, { fields });
}

/** The parts of billing's tenant row that mirror a Stripe customer. */
export interface LocalCustomer {
  tenantId: string;
  creditBalance: number;
  paymentMethodId: string | null;
}

export function classifyCustomer(input: {
  customer: Stripe.Customer;
  local: LocalCustomer | null;
}): Finding | null {
  const { customer, local } = input;
  const tenantId = customer.metadata?.tenant_id ?? null;
  if (!local) {
    // Customers Tollgate did not create are none of its business.
    if (!tenantId) return null;
    return finding('unknown_tenant', { reason: 'no tenant holds this Tollgate customer', tenantId });
  }
  const stripeSide = {
    creditBalance: -(customer.balance ?? 0),
    paymentMethodId:
      typeof customer.invoice_settings?.default_payment_method === 'string'
        ? customer.invoice_settings.default_payment_method
        : (customer.invoice_settings?.default_payment_method?.id ?? null),
  };
  const fields = differing(
    { creditBalance: local.creditBalance, paymentMethodId: local.paymentMethodId },
    stripeSide,
    ['creditBalance'],
  );
  // A default card is mirrored when Stripe names one; a card known here that Stripe does not name as the
  // default (attached without being made default) is not drift.
  if (stripeSide.paymentMethodId && stripeSide.paymentMethodId !== local.paymentMethodId)
    fields.paymentMethodId = { local: local.paymentMethodId, stripe: stripeSide.paymentMethodId };
  return Object.keys(fields).length === 0 ? null : finding('details_differ', { fields });
}

/** The parts of billing's invoice row that mirror Stripe. */
export interface LocalInvoice {
  status: string;
  total: number;
  amountDue: number;
  amountPaid: number;
  attemptCount: number;
  lastEventAt: Date;
}

export function classifyInvoice(input: {
  invoice: Stripe.Invoice;
  local: LocalInvoice | null;
  observedAt: Date;
}): Finding | null {
  const { invoice, local, observedAt } = input;
  // Drafts are not mirrored: the projection first sees an invoice when it is finalized.
  if (invoice.status === 'draft') return null;
  if (!local) return finding('missing_locally', { stripe: { status: invoice.status, total: invoice.total } });
  if (local.lastEventAt.getTime() > observedAt.getTime()) return null;
  const snapshot = invoiceSnapshot(invoice);
  const fields = differing(local, { ...snapshot, lastEventAt: observedAt }, [
    'status',
    'total',
    'amountDue',
    'amountPaid',
    'attemptCount',
  ]);
  if (Object.keys(fields).length === 0) return null;
  return finding(fields.status ? 'status_differs' : 'details_differ', { fields });
}

export const missingInStripe = (detail: Record<string, unknown>): Finding =>
  finding('missing_in_stripe', detail);

export const duplicateLive = (subscriptionIds: string[]): Finding =>
  finding('duplicate_live', { subscriptions: subscriptionIds });
