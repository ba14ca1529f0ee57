/**
 * Dead letters for operators: every message a durable consumer gave up on (published by the consumer to
 * `deadletter.v1.<consumer>`) is recorded here with its reason and exact bytes.
 *
 * Replay policy: a replay publishes the stored bytes to the original subject with
 * Nats-Msg-Id `replay:<id>:<replayCount + 1>` and marks the letter replayed, under a row lock. Replaying a
 * letter already replayed is a no-op answering the letter as it is; a crash between the publication and the
 * mark leaves it open, and the next replay reuses the same Nats-Msg-Id, which the broker drops. Every consumer
 * of that subject receives the replay; each dedupes on the event id, so only the one that failed acts on it.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, Header, REPLAY_OF_HEADER, type DeadLetter } from '@tollgate/contracts';
import type { ConsumedMessage } from '@tollgate/messaging';
import { NatsBus } from '@tollgate/messaging';
import { LOGGER } from '@tollgate/service-runtime';
import { DeadLetterRepository, toDeadLetter } from '../repositories/dead-letter.repository';
import { WebhookMetrics } from './webhook-metrics';

@Injectable()
export class DeadLetterService {
  constructor(
    private readonly letters: DeadLetterRepository,
    private readonly bus: NatsBus,
    private readonly metrics: WebhookMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records one message from the DEAD_LETTERS stream; throws (so it is redelivered) if it cannot. */
  async record(message: ConsumedMessage): Promise<void> {
    const consumer =
      message.headers[Header.DeadLetterConsumer] || message.subject.split('.').slice(2).join('.');
    const seq = Number(message.headers[Header.DeadLetterStreamSeq]);
    const recorded = await this.letters.record({
      consumer,
      subject: message.headers[Header.DeadLetterSubject] ?? '',
      reason: message.headers[Header.DeadLetterReason] || 'no reason given',
      payload: message.data,
      headers: message.headers,
      originalSeq: Number.isSafeInteger(seq) && seq > 0 ? seq : null,
    });
    if (recorded) {
      this.metrics.deadLettered.inc({ consumer });
      this.logger.error(
        { consumer, subject: message.headers[Header.DeadLetterSubject] },
        'dead letter recorded',
      );
    }
  }

  async list(options: { limit?: number; cursor?: string; status?: string }) {
    const limit = options.limit ?? 50;
    const rows = await this.letters.list({ limit, cursor: options.cursor, status: options.status });
    return {
      data: rows.map(toDeadLetter),
      nextCursor: rows.length === limit ? rows[rows.length - 1].id : null,
    };
  }

  async get(id: string): Promise<DeadLetter> {
    const row = await this.letters.get(id);
    if (!row) throw new DomainError(ErrorCode.NotFound, `no dead letter ${id}`);
    return toDeadLetter(row);
  }

  async replay(id: string): Promise<DeadLetter> {
    const replayed = await this.letters.withLocked(id, async (row, tx) => {
      if (!row) throw new DomainError(ErrorCode.NotFound, `no dead letter ${id}`);
      if (row.status === 'replayed') return row;
      if (!row.subject)
        throw new DomainError(ErrorCode.Conflict, `dead letter ${id} does not name its original subject`);
      await this.bus.publishRaw(row.subject, row.payload, {
        msgId: `replay:${row.id}:${row.replay_count + 1}`,
        headers: { [REPLAY_OF_HEADER]: row.id },
      });
      this.metrics.replayed.inc({ consumer: row.consumer });
      this.logger.info(
        { deadLetterId: row.id, consumer: row.consumer, subject: row.subject },
        'dead letter replayed',
      );
      return this.letters.markReplayed(row.id, tx);
    });
    return toDeadLetter(replayed);
  }
}
