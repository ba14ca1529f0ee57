import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeadLetter } from '@tollgate/contracts';
import type { DeadLetterStatus } from '../entities';

export interface NewDeadLetter {
  consumer: string;
  subject: string;
  reason: string;
  payload: Uint8Array;
  headers: Record<string, string>;
  originalSeq: number | null;
}

export interface DeadLetterRow {
  id: string;
  consumer: string;
  subject: string;
  reason: string;
  payload: Buffer;
  headers: Record<string, string>;
  original_seq: string | null;
  status: DeadLetterStatus;
  replay_count: number;
  created_at: Date;
  replayed_at: Date | null;
}

/** Shows the payload as the JSON it almost always is, or as base64 when it is not JSON. */
export function decodePayload(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return { encoding: 'base64', data: payload.toString('base64') };
  }
}

export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    subject: row.subject,
    reason: row.reason,
    payload: decodePayload(row.payload),
    status: row.status,
    replayCount: row.replay_count,
    createdAt: row.created_at.toISOString(),
    replayedAt: row.replayed_at ? row.replayed_at.toISOString() : null,
  };
}

const ID = /^[1-9][0-9]{0,17}$/;

/** `webhooks.dead_letters`: the only code that reads or writes it. */
@Injectable()
export class DeadLetterRepository {
  constructor(private readonly db: DataSource) {}

  /** Records a dead letter once per (consumer, original sequence); false for a redelivered one. */
  async record(letter: NewDeadLetter): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO webhooks.dead_letters (consumer, subject, reason, payload, headers, original_seq, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'open')
       ON CONFLICT (consumer, original_seq) DO NOTHING
       RETURNING id`,
      [
        letter.consumer,
        letter.subject,
        letter.reason,
        Buffer.from(letter.payload),
        letter.headers,
        letter.originalSeq,
      ],
    );
    return rows.length === 1;
  }

  /** Newest first; the cursor is the last id seen. */
  async list(options: { limit: number; cursor?: string; status?: string }): Promise<DeadLetterRow[]> {
    const params: unknown[] = [options.limit];
    const where: string[] = [];
    if (options.status) {
      params.push(options.status);
      where.push(`status = $${params.length}`);
    }
    if (options.cursor) {
      params.push(options.cursor);
      where.push(`id < $${params.length}::bigint`);
    }
    return this.db.query(
      `SELECT * FROM webhooks.dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $1`,
      params,
    );
  }

  async get(id: string): Promise<DeadLetterRow | undefined> {
    if (!ID.test(id)) return undefined;
    const rows: DeadLetterRow[] = await this.db.query(`SELECT * FROM webhooks.dead_letters WHERE id = $1`, [
      id,
    ]);
    return rows[0];
  }

  /**
   * Runs `work` with the dead letter locked, so two replays of one letter run one after the other; the
   * callback decides and returns the row to answer.
   */
  async withLocked<T>(
    id: string,
    work: (row: DeadLetterRow | undefined, tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      const rows: DeadLetterRow[] = ID.test(id)
        ? await tx.query(`SELECT * FROM webhooks.dead_letters WHERE id = $1 FOR UPDATE`, [id])
        : [];
      return work(rows[0], tx);
    });
  }

  async markReplayed(id: string, tx: EntityManager): Promise<DeadLetterRow> {
    const rows: [DeadLetterRow[], number] = await tx.query(
      `UPDATE webhooks.dead_letters
          SET status = 'replayed', replay_count = replay_count + 1, replayed_at = now()
        WHERE id = $1
        RETURNING *`,
      [id],
    );
    return rows[0][0];
  }
}
