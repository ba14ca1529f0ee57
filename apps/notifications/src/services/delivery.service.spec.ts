import { notification } from '../../test/notification.factory';
import type { Mailer, OutgoingMail } from '../adapters/smtp.mailer';
import { TemplateDataError } from '../templates/template-data';
import {
  DeliveryFailedError,
  DeliveryInProgressError,
  DeliveryService,
  messageIdFor,
  type DeliveryDraft,
  type DeliveryKey,
  type DeliveryRecord,
  type DeliveryStore,
  type LockedDelivery,
} from './delivery.service';

/** In-memory store with the repository's semantics: unique key, row locks, commit only on success. */
class MemoryStore implements DeliveryStore {
  readonly rows = new Map<string, DeliveryRecord>();
  readonly held = new Set<string>();
  private id = (k: DeliveryKey) => `${k.tenantId}/${k.kind}/${k.cause}`;

  async open(draft: DeliveryDraft): Promise<void> {
    if (this.rows.has(this.id(draft))) return;
    this.rows.set(this.id(draft), {
      ...draft,
      status: 'pending',
      attempts: 0,
      lastError: null,
      messageId: null,
      sentAt: null,
    });
  }

  async withLocked<T>(key: DeliveryKey, work: (locked: LockedDelivery | null) => Promise<T>): Promise<T> {
    const id = this.id(key);
    const row = this.rows.get(id);
    if (!row || this.held.has(id)) return work(null);
    this.held.add(id);
    const draft = { ...row };
    try {
      const result = await work({
        record: { ...row },
        markSent: async (sent) => {
          Object.assign(draft, sent, {
            status: 'sent',
            attempts: draft.attempts + 1,
            lastError: null,
            sentAt: new Date(),
          });
        },
        recordFailure: async (error, final) => {
          Object.assign(draft, {
            status: final ? 'failed' : 'pending',
            attempts: draft.attempts + 1,
            lastError: error,
          });
        },
      });
      this.rows.set(id, draft);
      return result;
    } finally {
      this.held.delete(id);
    }
  }

  only(): DeliveryRecord {
    expect(this.rows.size).toBe(1);
    return [...this.rows.values()][0];
  }
}

class FakeMailer implements Mailer {
  sent: OutgoingMail[] = [];
  failWith: Error | null = null;
  async send(mail: OutgoingMail): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(mail);
  }
  async verify(): Promise<void> {}
  close(): void {}
}

const event = notification;

describe('DeliveryService', () => {
  let store: MemoryStore;
  let mailer: FakeMailer;
  let service: DeliveryService;

  beforeEach(() => {
    store = new MemoryStore();
    mailer = new FakeMailer();
    service = new DeliveryService(store, mailer, {
      from: 'Billing <billing@tollgate.local>',
      messageIdDomain: 'tollgate.local',
      billingUrl: 'http://localhost:3000/billing',
      planNames: {},
    });
  });

  it('sends once and marks the delivery sent with its Message-ID', async () => {
    await expect(service.deliver(event(), { final: false })).resolves.toBe('sent');
    const row = store.only();
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      from: 'Billing <billing@tollgate.local>',
      to: 'owner@acme.test',
      subject: 'Payment of $29.00 failed',
      messageId: messageIdFor(row.id, 'tollgate.local'),
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Tollgate-Kind': 'payment_failed' },
    });
    expect(mailer.sent[0]?.headers).not.toHaveProperty('List-Unsubscribe');
    expect(row).toMatchObject({
      status: 'sent',
      attempts: 1,
      messageId: `<delivery-${row.id}@tollgate.local>`,
    });
  });

  it('acks a redelivery of a sent notification without sending again', async () => {
    await service.deliver(event(), { final: false });
    await expect(service.deliver(event(), { final: false })).resolves.toBe('duplicate');
    await expect(service.deliver(event({ to: 'someone-else@acme.test' }), { final: false })).resolves.toBe(
      'duplicate',
    );
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends a separate email for another cause or kind of the same tenant', async () => {
    await service.deliver(event(), { final: false });
    await service.deliver(event({ cause: 'in_2:payment_failed' }), { final: false });
    await service.deliver(event({ kind: 'payment_reminder' }), { final: false });
    expect(mailer.sent).toHaveLength(3);
  });

  it('records a failed attempt and throws so the message is retried, then sends with the same Message-ID', async () => {
    mailer.failWith = new Error('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1025');
    await expect(service.deliver(event(), { final: false })).rejects.toThrow(DeliveryFailedError);
    expect(store.only()).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    mailer.failWith = null;
    await expect(service.deliver(event(), { final: false })).resolves.toBe('sent');
    const row = store.only();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect(mailer.sent[0]?.messageId).toBe(messageIdFor(row.id, 'tollgate.local'));
  });

  it('marks the delivery failed on the last allowed attempt, and a replay may still send it', async () => {
    mailer.failWith = new Error('451 try later');
    await expect(service.deliver(event(), { final: true })).rejects.toMatchObject({ final: true });
    expect(store.only().status).toBe('failed');
    mailer.failWith = null;
    await expect(service.deliver(event(), { final: false })).resolves.toBe('sent');
  });

  it('backs off while another worker holds the delivery', async () => {
    await store.open({
      tenantId: 'acme',
      kind: 'payment_failed',
      cause: 'in_1:payment_failed',
      id: 'x',
      recipient: 'a',
      subject: 's',
      correlationId: null,
    });
    store.held.add('acme/payment_failed/in_1:payment_failed');
    await expect(service.deliver(event(), { final: false })).rejects.toThrow(DeliveryInProgressError);
    expect(mailer.sent).toHaveLength(0);
  });

  it('records nothing when the data cannot render', async () => {
    await expect(service.deliver(event({ data: { currency: 'usd' } }), { final: false })).rejects.toThrow(
      TemplateDataError,
    );
    expect(store.rows.size).toBe(0);
    expect(mailer.sent).toHaveLength(0);
  });
});
