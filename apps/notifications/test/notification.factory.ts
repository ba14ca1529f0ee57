import type { NotificationRequestedEvent } from '@tollgate/contracts';

/** A valid notification event (a failed $29.00 payment), with overrides. */
export function notification(
  overrides: Partial<NotificationRequestedEvent> = {},
): NotificationRequestedEvent {
  return {
    tenantId: 'acme',
    kind: 'payment_failed',
    cause: 'in_1:payment_failed',
    to: 'owner@acme.test',
    locale: 'en-US',
    timeZone: 'UTC',
    data: { amount: 2900, currency: 'usd' },
    ...overrides,
  };
}
