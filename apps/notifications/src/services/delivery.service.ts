/**
 * Exactly-once email policy: one email per (tenant, kind, cause), however often the event is delivered.
 * 1. Render first: data that cannot make a correct email fails before anything is recorded or sent.
 * 2. Open the delivery row (INSERT ... ON CONFLICT DO NOTHING on the unique (tenant_id, kind, cause)).
 * 3. Lock it (FOR UPDATE SKIP LOCKED) for the send. Locked elsewhere → a concurrent copy is sending: throw,
 *    the copy is redelivered later and then finds the row sent. Already 'sent' → ack without sending.
 * 4. Send over SMTP with a Message-ID derived from the row id, mark 'sent' in the same transaction, ack.
 * 5. SMTP failure → record the attempt and error, commit, throw: the consumer naks with backoff; on the last
 *    allowed delivery the row becomes 'failed' and the message is dead-lettered. A replayed dead letter
 *    sends again ('failed' is retryable; 'sent' never is).
 * Residual window: a crash or lost database between the SMTP server's acceptance and the commit leaves the
 * row unsent, so the redelivery sends again. That resend carries the same Message-ID, so mail systems that
 * dedupe on it (and threading clients) drop or fold it. Closing the window entirely needs the SMTP server to
 * take part in our transaction, which SMTP cannot.
 */
import { randomUUID } from 'node:crypto';
import type { NotificationKind, NotificationRequestedEvent } from '@tollgate/contracts';
import type { Metrics } from '@tollgate/observability';
import type { Mailer } from '../adapters/smtp.mailer';
import type { DeliveryStatus } from '../entities/delivery.entity';
import { renderNotification, type RenderContext } from '../templates/notification.templates';

export interface DeliveryKey {
  tenantId: string;
  kind: string;
  cause: string;
}

export interface DeliveryRecord extends DeliveryKey {
  id: string;
  recipient: string;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  sentAt: Date | null;
}

export interface DeliveryDraft extends DeliveryKey {
  id: string;
  recipient: string;
  subject: string;
  correlationId: string | null;
}

/** A delivery row held under lock for the duration of one attempt. */
export interface LockedDelivery {
  readonly record: DeliveryRecord;
  markSent(sent: { messageId: string; recipient: string; subject: string }): Promise<void>;
  recordFailure(error: string, final: boolean): Promise<void>;
}

/** Persistence of deliveries (repositories/delivery.repository.ts); unit tests use an in-memory one. */
export interface DeliveryStore {
  open(draft: DeliveryDraft): Promise<void>;
  /** Runs `work` in one transaction with the row locked; `null` when another transaction holds it. */
  withLocked<T>(key: DeliveryKey, work: (locked: LockedDelivery | null) => Promise<T>): Promise<T>;
}

export interface DeliveryOptions extends RenderContext {
  /** The From header (MAIL_FROM). */
  from: string;
  replyTo?: string;
  /** Right-hand side of generated Message-IDs: the sender's domain. */
  messageIdDomain: string;
}

export interface DeliveryAttempt {
  /** This is the last delivery the consumer allows: a failure now is final. */
  final: boolean;
  correlationId?: string;
}

export type DeliveryOutcome = 'sent' | 'duplicate';

/** A concurrent delivery of the same (tenant, kind, cause) holds the row; retry later. */
export class DeliveryInProgressError extends Error {
  constructor(key: DeliveryKey) {
    super(`delivery ${key.tenantId}/${key.kind}/${key.cause} is being sent by another worker`);
    this.name = 'DeliveryInProgressError';
  }
}

export class DeliveryFailedError extends Error {
  constructor(
    key: DeliveryKey,
    readonly reason: string,
    readonly final: boolean,
  ) {
    super(`sending ${key.kind} for ${key.tenantId} failed${final ? ' for the last time' : ''}: ${reason}`);
    this.name = 'DeliveryFailedError';
  }
}

/** The same on every attempt of one delivery, so a resend after the residual window is recognisable. */
export function messageIdFor(deliveryId: string, domain: string): string {
  return `<delivery-${deliveryId}@${domain}>`;
}

/** Header values from event data: one line, bounded. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').slice(0, 200);
}

export class DeliveryService {
  private readonly outcomes;

  constructor(
    private readonly store: DeliveryStore,
    private readonly mailer: Mailer,
    private readonly options: DeliveryOptions,
    metrics?: Metrics,
  ) {
    this.outcomes = metrics?.counter(
      'notification_deliveries_total',
      'Notification emails by kind and outcome',
      ['kind', 'outcome'],
    );
  }

  async deliver(event: NotificationRequestedEvent, attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const key: DeliveryKey = { tenantId: event.tenantId, kind: event.kind, cause: event.cause };
    const email = renderNotification(event, this.options);
    await this.store.open({
      ...key,
      id: randomUUID(),
      recipient: event.to,
      subject: email.subject,
      correlationId: attempt.correlationId ?? null,
    });
    const result = await this.store.withLocked(key, async (locked) => {
      if (!locked) return { outcome: 'busy' as const };
      if (locked.record.status === 'sent') return { outcome: 'duplicate' as const };
      const messageId = messageIdFor(locked.record.id, this.options.messageIdDomain);
      try {
        await this.mailer.send({
          from: this.options.from,
          ...(this.options.replyTo ? { replyTo: this.options.replyTo } : {}),
          to: event.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId,
          headers: {
            'Auto-Submitted': 'auto-generated',
            'X-Tollgate-Kind': event.kind,
            'X-Tollgate-Tenant': event.tenantId,
            'X-Tollgate-Cause': headerValue(event.cause),
          },
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        await locked.recordFailure(reason.slice(0, 2000), attempt.final);
        return { outcome: 'failed' as const, reason };
      }
      await locked.markSent({ messageId, recipient: event.to, subject: email.subject });
      return { outcome: 'sent' as const };
    });
    this.count(event.kind, result.outcome === 'failed' && attempt.final ? 'failed_final' : result.outcome);
    switch (result.outcome) {
      case 'busy':
        throw new DeliveryInProgressError(key);
      case 'failed':
        throw new DeliveryFailedError(key, result.reason, attempt.final);
      case 'duplicate':
      case 'sent':
        return result.outcome;
    }
  }

  private count(kind: NotificationKind, outcome: string): void {
    this.outcomes?.inc({ kind, outcome });
  }
}
