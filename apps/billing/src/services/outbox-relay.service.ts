/**
 * Outbox relay: publishes committed domain events to JetStream with Nats-Msg-Id = outbox row id (so a
 * republish after a crash between publish and mark is dropped by the broker), in creation order. It polls,
 * and is woken right after a commit that wrote to the outbox.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Header, republishWindow, type RepublishReply, type RepublishRequest } from '@tollgate/contracts';
import { encodeJson, type NatsBus } from '@tollgate/messaging';
import { OutboxRepository } from '../repositories/outbox.repository';

export class OutboxRelay {
  private readonly outbox = new OutboxRepository();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pending = false;

  constructor(
    private readonly ds: DataSource,
    private readonly bus: NatsBus,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was committed to the outbox: publish now rather than at the next poll. */
  readonly kick = (): void => {
    this.pending = true;
    this.wake?.();
  };

  /** Hands what was published in the window back to this relay (see OutboxRepository.requeuePublished). */
  async republish(request: RepublishRequest): Promise<RepublishReply> {
    const { since, until } = republishWindow(request);
    const requeued = await this.outbox.requeuePublished(this.ds, since, until);
    this.logger.warn(
      { since: request.since, until: request.until, requeued },
      'operator handed published domain events back to the outbox relay',
    );
    this.kick();
    return { requeued };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publishes everything unpublished; returns how many rows it published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.outbox.relayBatch(this.ds, 100, async (message) => {
        await this.bus.publishRaw(message.subject, encodeJson(message.payload), {
          msgId: message.id,
          headers: message.correlationId ? { [Header.CorrelationId]: message.correlationId } : {},
        });
      });
      total += n;
      if (n < 100) return total;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pending = false;
      try {
        await this.drain();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.warn({ err: error, failures }, 'outbox relay failed; will retry');
      }
      if (!this.running || this.pending) continue;
      const delay = failures > 0 ? Math.min(this.pollMs * 2 ** failures, 10_000) : this.pollMs;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(delay, undefined, { ref: false }).then(resolve);
      });
      this.wake = null;
    }
  }
}
