/**
 * Compute step of a subscription change (STYLE: setup → compute → execute): given the current subscription,
 * the items it should have and when, decide the proration lines and whether the billing cycle resets. Both the
 * update and POST /v1/invoices/create_preview run this, which is why a preview equals the invoice to the cent.
 */
import type Stripe from 'stripe';
import { prorationLines } from './proration';

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none';

export interface LinePlan {
  amount: number;
  description: string;
  quantity: number;
  unitAmount: number;
  price: Stripe.Price;
  periodStart: number;
  periodEnd: number;
  proration: boolean;
  subscriptionItem: string;
}

export interface ChangePlan {
  /** Interval changed (month ↔ year): Stripe restarts the cycle now and invoices immediately. */
  resetsCycle: boolean;
  prorations: LinePlan[];
}

export function productName(price: Stripe.Price, products: Record<string, Stripe.Product>): string {
  const id = typeof price.product === 'string' ? price.product : price.product.id;
  return products[id]?.name ?? price.nickname ?? id;
}

export function formatMoney(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const symbol = currency.toLowerCase() === 'usd' ? '$' : `${currency.toUpperCase()} `;
  return `${sign}${symbol}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function formatDay(ts: number): string {
  const d = new Date(ts * 1000);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}`;
}

function quantityPrefix(quantity: number): string {
  return quantity === 1 ? '' : `${quantity} × `;
}

export function planChange(
  current: Stripe.SubscriptionItem[],
  next: Stripe.SubscriptionItem[],
  at: number,
  behavior: ProrationBehavior,
  products: Record<string, Stripe.Product>,
): ChangePlan {
  const oldInterval = intervalKey(current[0]?.price);
  const newInterval = intervalKey(next[0]?.price);
  const resetsCycle = current.length > 0 && next.length > 0 && oldInterval !== newInterval;
  const periodStart = current[0]?.current_period_start ?? at;
  const periodEnd = current[0]?.current_period_end ?? at;
  const prorations: LinePlan[] = [];
  if (behavior === 'none') return { resetsCycle, prorations };
  const nextById = new Map(next.map((item) => [item.id, item]));
  const currentIds = new Set(current.map((item) => item.id));
  const pairs: Array<[Stripe.SubscriptionItem | null, Stripe.SubscriptionItem | null]> = [
    ...current.map((item): [Stripe.SubscriptionItem, Stripe.SubscriptionItem | null] => [
      item,
      resetsCycle ? null : (nextById.get(item.id) ?? null),
    ]),
    ...(resetsCycle
      ? []
      : next
          .filter((item) => !currentIds.has(item.id))
          .map((item): [null, Stripe.SubscriptionItem] => [null, item])),
  ];
  for (const [before, after] of pairs) {
    const lines = prorationLines(
      before ? { unitAmount: before.price.unit_amount ?? 0, quantity: before.quantity ?? 1 } : null,
      after ? { unitAmount: after.price.unit_amount ?? 0, quantity: after.quantity ?? 1 } : null,
      periodStart,
      periodEnd,
      at,
    );
    for (const line of lines) {
      const item = line.kind === 'unused' ? before : after;
      if (!item) continue;
      const name = productName(item.price, products);
      prorations.push({
        amount: line.amount,
        description: `${line.kind === 'unused' ? 'Unused' : 'Remaining'} time on ${quantityPrefix(line.quantity)}${name} after ${formatDay(at)}`,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        price: item.price,
        periodStart: at,
        periodEnd,
        proration: true,
        subscriptionItem: item.id,
      });
    }
  }
  return { resetsCycle, prorations };
}

/** The lines for a full period of the given items ("1 × Pro (at $20.00 / month)"). */
export function periodLines(
  items: Stripe.SubscriptionItem[],
  periodStart: number,
  periodEnd: number,
  products: Record<string, Stripe.Product>,
  trial: boolean,
): LinePlan[] {
  return items.map((item) => {
    const unitAmount = trial ? 0 : (item.price.unit_amount ?? 0);
    const quantity = item.quantity ?? 1;
    const name = productName(item.price, products);
    const interval = item.price.recurring?.interval ?? 'month';
    return {
      amount: unitAmount * quantity,
      description: trial
        ? `Trial period for ${name}`
        : `${quantity} × ${name} (at ${formatMoney(item.price.unit_amount ?? 0, item.price.currency)} / ${interval})`,
      quantity,
      unitAmount,
      price: item.price,
      periodStart,
      periodEnd,
      proration: false,
      subscriptionItem: item.id,
    };
  });
}

function intervalKey(price: Stripe.Price | undefined): string {
  return price?.recurring ? `${price.recurring.interval_count}:${price.recurring.interval}` : 'none';
}
