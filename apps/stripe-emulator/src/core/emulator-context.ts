/**
 * What every part of the emulator shares: the data, the configuration, time, and event emission.
 * Time policy: an object on a test clock lives at that clock's frozen_time; everything else at real time.
 */
import type Stripe from 'stripe';
import { buildEvent } from '../billing/object-builders';
import { newId } from './ids';
import { clone, collectionForId, emptyData, type CollectionName, type EmulatorData } from './state';
import { resourceMissing } from './stripe-error';

export interface WebhookFaults {
  /** Probability (0..1) that a delivery is sent again right after it succeeded. */
  duplicateRate: number;
  /** How many extra copies such a duplicated delivery gets (default 1: sent twice). */
  duplicateCopies: number;
  /** Events are held this long and then delivered in shuffled order. */
  reorderWindowMs: number;
  /** Probability (0..1) that a delivery attempt fails as if the network dropped it (then it is retried). */
  failRate: number;
  /** Added before every delivery attempt. */
  delayMs: number;
}

export interface RetrySchedule {
  /** Days after the previous failed attempt at which an invoice payment is retried (Stripe's custom schedule). */
  retryDays: number[];
  /** What happens to the subscription when the last retry fails. */
  terminalAction: 'cancel' | 'unpaid' | 'past_due';
  /** What happens to the invoice then. */
  invoiceTerminalAction: 'leave_open' | 'mark_uncollectible';
}

export interface EmulatorConfig {
  faults: WebhookFaults;
  retrySchedule: RetrySchedule;
  /** Stripe retries a failed webhook for days; the emulator compresses that to these delays. */
  webhookRetryDelaysMs: number[];
  /** invoice.upcoming is sent this many days before a renewal. */
  upcomingInvoiceDays: number;
  /** Seed for the fault dice, so chaos tests are reproducible. */
  seed: number;
  /** API requests allowed per second (a token bucket, one second of burst); beyond it 429 `rate_limit`. 0 = off. */
  rateLimitPerSecond: number;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
  faults: { duplicateRate: 0, duplicateCopies: 1, reorderWindowMs: 0, failRate: 0, delayMs: 0 },
  retrySchedule: { retryDays: [3, 5, 7], terminalAction: 'cancel', invoiceTerminalAction: 'leave_open' },
  webhookRetryDelaysMs: [100, 300, 1000, 3000, 10_000, 30_000],
  upcomingInvoiceDays: 3,
  seed: 1,
  rateLimitPerSecond: 0,
};

const NOUNS: Record<CollectionName, string> = {
  products: 'product',
  prices: 'price',
  customers: 'customer',
  paymentMethods: 'PaymentMethod',
  checkoutSessions: 'checkout.session',
  portalSessions: 'billing_portal.session',
  subscriptions: 'subscription',
  invoices: 'invoice',
  invoiceItems: 'invoiceitem',
  invoicePayments: 'invoice_payment',
  testClocks: 'test_helpers.test_clock',
  events: 'event',
  webhookEndpoints: 'webhook_endpoint',
};

export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}

export class EmulatorContext {
  data: EmulatorData = emptyData();
  /** The request being served, stamped on the events it causes (Stripe's event.request). */
  currentRequest: RequestInfo = { id: null, idempotencyKey: null };
  private readonly listeners: Array<(event: Stripe.Event) => void> = [];

  constructor(
    readonly config: EmulatorConfig,
    readonly publicUrl: () => string,
  ) {}

  onEvent(listener: (event: Stripe.Event) => void): void {
    this.listeners.push(listener);
  }

  realNow(): number {
    return Math.floor(Date.now() / 1000);
  }

  nowForClock(clockId: string | null | undefined): number {
    if (!clockId) return this.realNow();
    return this.data.testClocks[clockId]?.frozen_time ?? this.realNow();
  }

  nowForCustomer(customerId: string): number {
    const clock = this.data.customers[customerId]?.test_clock;
    return this.nowForClock(typeof clock === 'string' ? clock : (clock?.id ?? null));
  }

  require<K extends CollectionName>(collection: K, id: string, param = 'id'): EmulatorData[K][string] {
    const found = this.data[collection][id] as EmulatorData[K][string] | undefined;
    if (!found) throw resourceMissing(NOUNS[collection], id, param);
    return found;
  }

  lookup(id: string): object | undefined {
    const collection = collectionForId(id);
    return collection ? this.data[collection][id] : undefined;
  }

  /** Records a Stripe event (a snapshot of the object now) and hands it to webhook delivery. */
  emit(
    type: string,
    object: object,
    created: number,
    previousAttributes?: Record<string, unknown>,
  ): Stripe.Event {
    const event = buildEvent({
      id: newId('evt_1'),
      type,
      created,
      object: clone(object),
      previousAttributes,
      requestId: this.currentRequest.id,
      idempotencyKey: this.currentRequest.idempotencyKey,
    });
    this.data.events[event.id] = event;
    for (const listener of this.listeners) listener(event);
    return event;
  }
}

/** Top-level keys whose values changed, with their old values: Stripe's data.previous_attributes. */
export function previousAttributes(before: object, after: object): Record<string, unknown> | undefined {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(a))
    if (JSON.stringify(b[key]) !== JSON.stringify(a[key]))
      changed[key] = b[key] === undefined ? null : b[key];
  return Object.keys(changed).length > 0 ? changed : undefined;
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}
