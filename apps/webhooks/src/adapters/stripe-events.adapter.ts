import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';

/** Stripe's Events API, the only Stripe call the webhooks service makes (for catch-up). */
@Injectable()
export class StripeEventsAdapter {
  constructor(private readonly stripe: Stripe | null) {}

  get configured(): boolean {
    return this.stripe !== null;
  }

  /** Every event created at or after `since` (unix seconds), newest first, following every page. */
  async *listSince(since: number): AsyncGenerator<Stripe.Event> {
    if (!this.stripe) throw new Error('STRIPE_SECRET_KEY is not configured');
    for await (const event of this.stripe.events.list({ created: { gte: since }, limit: 100 })) yield event;
  }
}
