/**
 * Consumes verified Stripe events (stream STRIPE_EVENTS, published by webhooks verbatim) with the durable
 * consumer `billing`. Ack policy (see @tollgate/messaging): ack after the projection's transaction commits;
 * a throw naks with backoff; after maxDeliver the event is dead-lettered to `deadletter.v1.billing`.
 * A message that is not a Stripe event at all is a poison message: it throws on every delivery and ends in
 * the dead letters, never silently dropped.
 */
import type Stripe from 'stripe';
import type { Logger } from 'pino';
import { STREAMS } from '@tollgate/contracts';
import { consumeDurable, type ConsumedMessage, type ConsumerHandle, type NatsBus } from '@tollgate/messaging';
import type { Metrics } from '@tollgate/observability';
import type { StripeEventProjector } from '../services/stripe-event.projector';

export const BILLING_CONSUMER = 'billing';

export function parseStripeEvent(message: ConsumedMessage): Stripe.Event {
  const event = message.json<Partial<Stripe.Event>>();
  if (
    typeof event !== 'object' ||
    event === null ||
    event.object !== 'event' ||
    typeof event.id !== 'string' ||
    typeof event.type !== 'string' ||
    typeof event.created !== 'number' ||
    typeof event.data?.object !== 'object'
  )
    throw new Error('not a Stripe event');
  return event as Stripe.Event;
}

export async function consumeStripeEvents(
  bus: NatsBus,
  projector: StripeEventProjector,
  options: {
    concurrency: number;
    maxDeliver: number;
    backoffMs?: number[];
    metrics: Metrics;
    logger: Logger;
  },
): Promise<ConsumerHandle> {
  const lag = options.metrics.histogram(
    'billing_stripe_event_lag_seconds',
    'Stripe event created → its effect committed (first application only)',
    ['type'],
  );
  const outcomes = options.metrics.counter(
    'billing_stripe_events_total',
    'Stripe events projected by outcome',
    ['type', 'outcome'],
  );
  return consumeDurable(bus, {
    stream: STREAMS.stripeEvents,
    durable: BILLING_CONSUMER,
    concurrency: options.concurrency,
    maxDeliver: options.maxDeliver,
    backoffMs: options.backoffMs,
    metrics: options.metrics,
    handler: async (message) => {
      const event = parseStripeEvent(message);
      const outcome = await projector.project(event);
      outcomes.inc({ type: event.type, outcome });
      // A duplicate committed nothing: only a first application has a lag to its effect.
      if (outcome !== 'duplicate')
        lag.observe({ type: event.type }, Math.max(0, Date.now() / 1000 - event.created));
      options.logger.debug({ event: event.id, type: event.type, outcome }, 'stripe event projected');
    },
  });
}
