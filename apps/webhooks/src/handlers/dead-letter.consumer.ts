/**
 * Records every dead letter of every Tollgate consumer (the DEAD_LETTERS stream) for operators. Ack policy:
 * the platform's (ack after the insert commits); recording is one idempotent insert that fails only while
 * Postgres is down, so it is retried for about a day rather than dead-lettered itself.
 */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { STREAMS } from '@tollgate/contracts';
import { consumeDurable, NatsBus } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import { DeadLetterService } from '../services/dead-letter.service';

export const DEAD_LETTER_CONSUMER = 'webhooks-deadletters';

@Injectable()
export class DeadLetterConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await consumeDurable(this.bus, {
      stream: STREAMS.deadLetters,
      durable: DEAD_LETTER_CONSUMER,
      maxDeliver: 1500,
      backoffMs: [1000, 5000, 15_000, 60_000],
      concurrency: 4,
      metrics: this.metrics,
      handler: (message) => this.deadLetters.record(message),
    });
  }
}
