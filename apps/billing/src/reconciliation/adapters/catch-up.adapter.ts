/**
 * Catch-up before the diff: asks the webhooks service to feed Stripe events it never received through its
 * pipeline (`webhooks.catchup.v1`), then waits until billing's durable consumer has nothing pending, so the
 * diff sees what those events did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { STREAMS, WebhooksSubject, type CatchUpReply } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { BILLING_CONSUMER } from '../../handlers/stripe-events.handler';

export interface CatchUpPort {
  catchUp(since: number): Promise<CatchUpReply>;
  /** True once the consumer has nothing pending or unacknowledged; false at the deadline. */
  drained(timeoutMs: number): Promise<boolean>;
}

export class NatsCatchUpAdapter implements CatchUpPort {
  constructor(
    private readonly bus: NatsBus,
    private readonly requestTimeoutMs: number,
  ) {}

  catchUp(since: number): Promise<CatchUpReply> {
    return this.bus.request(WebhooksSubject.CatchUp, { since }, { timeoutMs: this.requestTimeoutMs });
  }

  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const stream = this.bus.streamName(STREAMS.stripeEvents);
    for (;;) {
      const info = await this.bus.jsm.consumers.info(stream, BILLING_CONSUMER).catch(() => null);
      if (info && info.num_pending === 0 && info.num_ack_pending === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(100);
    }
  }
}
