/**
 * JetStream streams, declared in one place and created idempotently at boot by every service that uses them
 * (`ensureStreams` in @tollgate/messaging). Subjects here must never overlap a request/reply subject: a stream
 * that captured a request would answer it with a publish ack.
 */
export interface StreamDefinition {
  name: string;
  subjects: string[];
  /** How long messages stay, in seconds. */
  maxAgeSeconds: number;
  /** The broker's Nats-Msg-Id dedupe window, in seconds; our own dedupe tables cover longer spans. */
  duplicateWindowSeconds: number;
}

/** Verified Stripe events, published by webhooks as `stripe.event.v1.<event.type>` with Nats-Msg-Id = event id. */
export const STRIPE_EVENT_SUBJECT_PREFIX = 'stripe.event.v1';
export const stripeEventSubject = (eventType: string): string =>
  `${STRIPE_EVENT_SUBJECT_PREFIX}.${eventType}`;

/** Domain events of billing (owner-first, versioned). Published through billing's transactional outbox. */
export const BillingEvent = {
  TenantCreated: 'billing.tenant.created.v1',
  SubscriptionChanged: 'billing.subscription.changed.v1',
  InvoiceChanged: 'billing.invoice.changed.v1',
  NotificationRequested: 'billing.notification.requested.v1',
} as const;
export type BillingEvent = (typeof BillingEvent)[keyof typeof BillingEvent];

/** Messages that exhausted their deliveries: `deadletter.v1.<consumer>`; recorded by webhooks for operators. */
export const DEAD_LETTER_SUBJECT_PREFIX = 'deadletter.v1';
export const deadLetterSubject = (consumer: string): string => `${DEAD_LETTER_SUBJECT_PREFIX}.${consumer}`;

const DAY = 24 * 3600;

export const STREAMS = {
  stripeEvents: {
    name: 'STRIPE_EVENTS',
    subjects: [`${STRIPE_EVENT_SUBJECT_PREFIX}.>`],
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 2 * 3600,
  },
  billingEvents: {
    name: 'BILLING_EVENTS',
    subjects: Object.values(BillingEvent),
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 2 * 3600,
  },
  deadLetters: {
    name: 'DEAD_LETTERS',
    subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
    maxAgeSeconds: 90 * DAY,
    duplicateWindowSeconds: 2 * 3600,
  },
} as const satisfies Record<string, StreamDefinition>;

/** Headers Tollgate puts on NATS messages. */
export const Header = {
  CorrelationId: 'x-correlation-id',
  MsgId: 'Nats-Msg-Id',
  DeadLetterReason: 'tollgate-dead-letter-reason',
  DeadLetterSubject: 'tollgate-original-subject',
  DeadLetterConsumer: 'tollgate-consumer',
  DeadLetterStreamSeq: 'tollgate-original-seq',
} as const;
