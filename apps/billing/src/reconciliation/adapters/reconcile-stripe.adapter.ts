/**
 * Stripe as the reconciliation reads it: list pages (100 objects, Stripe's maximum) and single lookups, every
 * call through the run's rate limiter. A 429 is retried after the limiter's backoff (bounded); anything else
 * is the SDK's own business (it retries connection errors and 5xx) and then the caller's.
 */
import type Stripe from 'stripe';
import type { RequestRateLimiter } from '../services/request-rate.limiter';

export interface ListPage<T> {
  data: T[];
  hasMore: boolean;
}

const isRateLimit = (error: unknown): boolean => (error as { statusCode?: number })?.statusCode === 429;
const isMissing = (error: unknown): boolean => (error as { statusCode?: number })?.statusCode === 404;

export class ReconcileStripeAdapter {
  requests = 0;
  rateLimited = 0;

  constructor(
    private readonly stripe: Stripe,
    private readonly limiter: RequestRateLimiter,
    private readonly maxRateLimitRetries = 10,
  ) {}

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire();
      this.requests++;
      try {
        return await fn();
      } catch (error) {
        if (!isRateLimit(error) || attempt > this.maxRateLimitRetries) throw error;
        this.rateLimited++;
        this.limiter.backoff(attempt);
      }
    }
  }

  private page<T>(list: Stripe.ApiList<T>): ListPage<T> {
    return { data: list.data, hasMore: list.has_more };
  }

  async subscriptions(startingAfter: string | null, limit: number): Promise<ListPage<Stripe.Subscription>> {
    return this.page(
      await this.call(() =>
        this.stripe.subscriptions.list({
          status: 'all',
          limit,
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      ),
    );
  }

  async customers(startingAfter: string | null, limit: number): Promise<ListPage<Stripe.Customer>> {
    return this.page(
      await this.call(() =>
        this.stripe.customers.list({ limit, ...(startingAfter ? { starting_after: startingAfter } : {}) }),
      ),
    );
  }

  async invoices(
    createdSince: number,
    startingAfter: string | null,
    limit: number,
  ): Promise<ListPage<Stripe.Invoice>> {
    return this.page(
      await this.call(() =>
        this.stripe.invoices.list({
          limit,
          created: { gte: createdSince },
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      ),
    );
  }

  async subscription(id: string): Promise<Stripe.Subscription | null> {
    return this.orNull(() => this.stripe.subscriptions.retrieve(id));
  }

  /** A deleted customer counts as missing. */
  async customer(id: string): Promise<Stripe.Customer | null> {
    const found = await this.orNull(() => this.stripe.customers.retrieve(id));
    return found && !('deleted' in found && found.deleted) ? found : null;
  }

  async invoice(id: string): Promise<Stripe.Invoice | null> {
    return this.orNull(() => this.stripe.invoices.retrieve(id));
  }

  private async orNull<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await this.call(fn);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }
}
