import request from 'supertest';
import { STREAMS } from '@tollgate/contracts';
import { consumeDurable, type ConsumedMessage } from '@tollgate/messaging';
import { createTestDatabase, eventually, type TestDatabase } from '@tollgate/testing';
import { startSmtpCatcher, type CaughtMessage, type SmtpCatcher } from '../../smtp-catcher/src/smtp-catcher';
import { notification } from './notification.factory';
import { startNotifications, type NotificationsHarness } from './notifications.harness';

const ofTenant = (catcher: SmtpCatcher, tenantId: string): CaughtMessage[] =>
  catcher.messages().filter((m) => m.headers['x-tollgate-tenant'] === tenantId);

describe('notifications service', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 30_000);
  afterAll(async () => {
    await db.drop();
  });

  describe('with the mail server up', () => {
    let catcher: SmtpCatcher;
    let svc: NotificationsHarness;

    beforeAll(async () => {
      catcher = await startSmtpCatcher({ smtpPort: 0, httpPort: 0 });
      svc = await startNotifications(db, {
        SMTP_URL: `smtp://127.0.0.1:${catcher.smtpPort}`,
        MAIL_FROM: 'Acme Billing <billing@acme-saas.test>',
        PUBLIC_BASE_URL: 'https://app.acme-saas.test',
      });
    }, 30_000);
    afterAll(async () => {
      await svc.close();
      await catcher.stop();
    });

    it('sends one email per (tenant, kind, cause) however often the event is delivered', async () => {
      const first = notification({ tenantId: 'dup', cause: 'in_1:payment_failed' });
      const second = notification({ tenantId: 'dup', cause: 'in_2:payment_failed' });
      // Distinct message ids get past the broker's dedupe window; the same id is dropped by the broker.
      for (const msgId of ['a1', 'a2', 'a3', 'a3', 'a4']) await svc.publish(first, msgId);
      await svc.publish(second, 'b1');
      await svc.publish(second, 'b2');
      await svc.drained();

      const caught = ofTenant(catcher, 'dup');
      expect(caught.map((m) => m.headers['x-tollgate-cause']).sort()).toEqual([
        'in_1:payment_failed',
        'in_2:payment_failed',
      ]);
      for (const event of [first, second]) {
        const row = await svc.delivery(event);
        expect(row).toMatchObject({ status: 'sent', attempts: 1, recipient: 'owner@acme.test' });
        const message = caught.find((m) => m.headers['x-tollgate-cause'] === event.cause);
        expect(message?.messageId).toBe(`<delivery-${row?.id}@acme-saas.test>`);
      }
    });

    it('sends from the configured sender, as a transactional mail without unsubscribe headers', async () => {
      await svc.publish(
        notification({ tenantId: 'sender', kind: 'suspended', cause: 'sub_1:suspended', data: {} }),
      );
      await svc.drained();
      const [message] = ofTenant(catcher, 'sender');
      expect(message).toMatchObject({
        from: 'Acme Billing <billing@acme-saas.test>',
        to: ['owner@acme.test'],
        subject: 'Your account has been suspended',
      });
      expect(message?.headers['auto-submitted']).toBe('auto-generated');
      expect(message?.headers).not.toHaveProperty('list-unsubscribe');
      expect(message?.text).toContain('https://app.acme-saas.test/billing');
      expect(message?.html).toContain('href="https://app.acme-saas.test/billing"');
    });

    it("localizes amounts with the invoice's currency and dates in the tenant's locale and time zone", async () => {
      const paid = {
        kind: 'payment_succeeded' as const,
        data: { amount: 123456, currency: 'eur', paidAt: '2026-03-01T04:30:00Z' },
      };
      await svc.publish(
        notification({
          ...paid,
          tenantId: 'berlin',
          cause: 'in_de',
          locale: 'de-DE',
          timeZone: 'Europe/Berlin',
        }),
      );
      await svc.publish(
        notification({
          ...paid,
          tenantId: 'la',
          cause: 'in_us',
          data: { ...paid.data, currency: 'usd' },
          timeZone: 'America/Los_Angeles',
        }),
      );
      await svc.drained();
      const [de] = ofTenant(catcher, 'berlin');
      const [us] = ofTenant(catcher, 'la');
      expect(de?.subject).toBe('Receipt for your payment of 1.234,56\u00a0€');
      expect(de?.text).toContain('Paid on: 1. März 2026');
      expect(us?.subject).toBe('Receipt for your payment of $1,234.56');
      // 04:30 UTC on March 1 is still February 28 in Los Angeles.
      expect(us?.text).toContain('Paid on: February 28, 2026');
    });

    it('answers readiness and an SMTP health check', async () => {
      const http = request(svc.app.getHttpServer());
      const ready = await http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({ nats: { status: 'up' }, postgres: { status: 'up' } });
      expect((await http.get('/health/smtp')).body).toEqual({
        status: 'up',
        endpoint: `smtp://127.0.0.1:${catcher.smtpPort}`,
      });
      expect((await http.get('/metrics')).text).toContain('tollgate_notification_deliveries_total');
    });
  });

  describe('with the mail server down, then back up', () => {
    let catcher: SmtpCatcher;
    let svc: NotificationsHarness;
    let smtpPort: number;

    beforeAll(async () => {
      // Take a free port from the catcher, then stop it: connections to the port are refused.
      const probe = await startSmtpCatcher({ smtpPort: 0, httpPort: 0 });
      smtpPort = probe.smtpPort;
      await probe.stop();
      svc = await startNotifications(db, {
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        NOTIFICATIONS_MAX_DELIVER: '1000',
      });
    }, 30_000);
    afterAll(async () => {
      await svc.close();
      await catcher?.stop();
    });

    it('retries with backoff and delivers each email exactly once when SMTP returns', async () => {
      const events = ['in_a', 'in_b', 'in_c'].map((cause) => notification({ tenantId: 'outage', cause }));
      for (const event of events) await svc.publish(event);
      await svc.publish(events[0]); // and a duplicate delivery on top

      // Observe the failures being recorded before the server comes back.
      await eventually(
        async () => {
          const rows = await Promise.all(events.map((e) => svc.delivery(e)));
          return rows.every(
            (r) =>
              r !== null &&
              r.status === 'pending' &&
              r.attempts >= 2 &&
              /ECONNREFUSED/.test(r.lastError ?? ''),
          );
        },
        { what: 'failed attempts recorded for every delivery' },
      );
      const http = request(svc.app.getHttpServer());
      const down = await http.get('/health/smtp');
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('upstream_unavailable');
      // SMTP is not part of readiness: the service keeps consuming and retrying.
      expect((await http.get('/health/ready')).status).toBe(200);

      catcher = await startSmtpCatcher({ smtpPort, httpPort: 0 });
      await svc.drained();

      const caught = ofTenant(catcher, 'outage');
      expect(caught.map((m) => m.headers['x-tollgate-cause']).sort()).toEqual(['in_a', 'in_b', 'in_c']);
      for (const event of events) {
        const row = await svc.delivery(event);
        expect(row).toMatchObject({ status: 'sent', lastError: null });
        expect(row?.attempts).toBeGreaterThanOrEqual(3);
        expect(caught.find((m) => m.headers['x-tollgate-cause'] === event.cause)?.messageId).toBe(
          `<delivery-${row?.id}@tollgate.local>`,
        );
      }
      expect((await http.get('/health/smtp')).status).toBe(200);
    });
  });

  describe('when SMTP stays down past the last delivery', () => {
    let svc: NotificationsHarness;
    const dead: ConsumedMessage[] = [];

    beforeAll(async () => {
      const probe = await startSmtpCatcher({ smtpPort: 0, httpPort: 0 });
      await probe.stop();
      svc = await startNotifications(db, {
        SMTP_URL: `smtp://127.0.0.1:${probe.smtpPort}`,
        NOTIFICATIONS_MAX_DELIVER: '3',
      });
      await consumeDurable(svc.bus, {
        stream: STREAMS.deadLetters,
        durable: 'dl-reader',
        handler: async (m) => void dead.push(m),
      });
    }, 30_000);
    afterAll(async () => {
      await svc.close();
    });

    it('dead-letters the notification and marks its delivery failed', async () => {
      const event = notification({ tenantId: 'gone', cause: 'in_x' });
      await svc.publish(event);
      await eventually(() => dead.find((m) => m.json<{ tenantId: string }>().tenantId === 'gone'), {
        what: 'a dead letter',
      });
      await expect(svc.delivery(event)).resolves.toMatchObject({
        status: 'failed',
        attempts: 3,
        sentAt: null,
      });
      const letter = dead.find((m) => m.json<{ tenantId: string }>().tenantId === 'gone');
      expect(letter?.subject).toBe('deadletter.v1.notifications');
      expect(letter?.headers['tollgate-dead-letter-reason']).toMatch(/DeliveryFailedError.*ECONNREFUSED/);
    });

    it('dead-letters an event that fails validation without recording a delivery', async () => {
      await svc.publish({ ...notification({ tenantId: 'bad', cause: 'c1' }), to: 'not-an-address' });
      await eventually(() => dead.find((m) => m.json<{ tenantId: string }>().tenantId === 'bad'), {
        what: 'a dead letter',
      });
      const letter = dead.find((m) => m.json<{ tenantId: string }>().tenantId === 'bad');
      expect(letter?.headers['tollgate-dead-letter-reason']).toMatch(/failed validation/);
      await expect(
        svc.delivery({ tenantId: 'bad', kind: 'payment_failed', cause: 'c1' }),
      ).resolves.toBeNull();
    });
  });
});
