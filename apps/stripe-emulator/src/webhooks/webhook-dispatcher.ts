/**
 * Webhook delivery policy: asynchronous (an API response never waits for it); one ordered queue per endpoint;
 * a non-2xx answer or a network error is retried on `webhookRetryDelaysMs` (Stripe's days, compressed), then
 * given up; every attempt lands in the delivery log. Chaos faults, drawn from a seeded generator so runs repeat:
 * duplicates, reordering within a window, injected failures (then retried like real ones), added delay.
 */
import type Stripe from 'stripe';
import type { EmulatorContext } from '../core/emulator-context';
import { signPayload } from './webhook-signature';

export interface DeliveryRecord {
  id: string;
  eventId: string;
  type: string;
  endpointId: string;
  url: string;
  attempt: number;
  /** HTTP status of the answer; null when no answer (network error or injected failure). */
  status: number | null;
  ok: boolean;
  error: string | null;
  duplicate: boolean;
  injectedFailure: boolean;
  deliveredAt: string;
}

interface Pending {
  event: Stripe.Event;
  endpointId: string;
  attempt: number;
}

export class WebhookDispatcher {
  readonly log: DeliveryRecord[] = [];
  private readonly queues = new Map<string, Pending[]>();
  private readonly busy = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private reorderBuffer: Pending[] = [];
  private reorderTimer: NodeJS.Timeout | null = null;
  private random: () => number;
  private stopped = false;
  private deliveryCount = 0;

  constructor(private readonly ctx: EmulatorContext) {
    this.random = seeded(ctx.config.seed);
    ctx.onEvent((event) => this.enqueue(event));
  }

  reseed(): void {
    this.random = seeded(this.ctx.config.seed);
  }

  clear(): void {
    this.log.length = 0;
    this.queues.clear();
    this.reorderBuffer = [];
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.reorderTimer) clearTimeout(this.reorderTimer);
    this.reorderTimer = null;
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private enqueue(event: Stripe.Event): void {
    for (const endpoint of Object.values(this.ctx.data.webhookEndpoints)) {
      if (endpoint.status !== 'enabled') continue;
      if (!endpoint.enabled_events.includes('*') && !endpoint.enabled_events.includes(event.type)) continue;
      const pending: Pending = { event, endpointId: endpoint.id, attempt: 1 };
      if (this.ctx.config.faults.reorderWindowMs > 0) this.hold(pending);
      else this.push(pending);
    }
  }

  /** Reorder fault: collect events for the window, then release them shuffled. */
  private hold(pending: Pending): void {
    this.reorderBuffer.push(pending);
    if (this.reorderTimer) return;
    this.reorderTimer = setTimeout(() => {
      this.reorderTimer = null;
      const batch = this.reorderBuffer;
      this.reorderBuffer = [];
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j], batch[i]];
      }
      for (const p of batch) this.push(p);
    }, this.ctx.config.faults.reorderWindowMs);
  }

  private push(pending: Pending): void {
    if (this.stopped) return;
    const queue = this.queues.get(pending.endpointId) ?? [];
    queue.push(pending);
    this.queues.set(pending.endpointId, queue);
    void this.pump(pending.endpointId);
  }

  private async pump(endpointId: string): Promise<void> {
    if (this.busy.has(endpointId)) return;
    this.busy.add(endpointId);
    try {
      const queue = this.queues.get(endpointId);
      while (queue && queue.length > 0 && !this.stopped) {
        const pending = queue.shift()!;
        await this.attempt(pending);
      }
    } finally {
      this.busy.delete(endpointId);
    }
  }

  private async attempt(pending: Pending): Promise<void> {
    const { faults } = this.ctx.config;
    const endpoint = this.ctx.data.webhookEndpoints[pending.endpointId];
    const secret = this.ctx.data.webhookSecrets[pending.endpointId];
    if (!endpoint || !secret) return;
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (this.stopped) return;
    const payload = JSON.stringify(pending.event, null, 2);
    if (this.random() < faults.failRate) {
      this.record(pending, endpoint.url, null, 'injected failure', false, true);
      this.retry(pending);
      return;
    }
    const ok = await this.send(pending, endpoint.url, payload, secret, false);
    if (!ok) {
      this.retry(pending);
      return;
    }
    if (this.random() < faults.duplicateRate)
      for (let copy = 0; copy < faults.duplicateCopies; copy++)
        await this.send(pending, endpoint.url, payload, secret, true);
  }

  private async send(
    pending: Pending,
    url: string,
    payload: string,
    secret: string,
    duplicate: boolean,
  ): Promise<boolean> {
    const header = signPayload(payload, secret, Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': header,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      this.record(pending, url, response.status, ok ? null : `HTTP ${response.status}`, duplicate, false);
      return ok;
    } catch (error) {
      this.record(pending, url, null, (error as Error).message, duplicate, false);
      return false;
    }
  }

  private retry(pending: Pending): void {
    const delay = this.ctx.config.webhookRetryDelaysMs[pending.attempt - 1];
    if (delay === undefined || this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.push({ ...pending, attempt: pending.attempt + 1 });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private record(
    pending: Pending,
    url: string,
    status: number | null,
    error: string | null,
    duplicate: boolean,
    injectedFailure: boolean,
  ): void {
    this.deliveryCount += 1;
    this.log.push({
      id: `whdel_${this.deliveryCount}`,
      eventId: pending.event.id,
      type: pending.event.type,
      endpointId: pending.endpointId,
      url,
      attempt: pending.attempt,
      status,
      ok: status !== null && status >= 200 && status < 300,
      error,
      duplicate,
      injectedFailure,
      deliveredAt: new Date().toISOString(),
    });
  }
}

/** mulberry32: tiny, seedable, good enough to roll fault dice reproducibly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
