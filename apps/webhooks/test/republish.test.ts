import { DomainError, STREAMS, WebhooksSubject } from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { inboxRows, postSigned, startHarness, stripeEvent, type Harness } from './webhooks-harness';

const until = (check: () => Promise<boolean>, what: string) => eventually(check, { what });

describe('republishing what the broker lost', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const statuses = async (ids: string[]) =>
    (
      await h.sql.query<{ status: string }>(
        'SELECT status FROM webhooks.stripe_events WHERE id = ANY($1) ORDER BY id',
        [ids],
      )
    ).rows.map((r) => r.status);

  it('hands the events published in the window back to the relay, which publishes each once more', async () => {
    const earlier = [stripeEvent(), stripeEvent()];
    const recent = Array.from({ length: 5 }, () => stripeEvent({ type: 'invoice.paid' }));
    const ignored = stripeEvent({ type: 'charge.refunded' });
    for (const e of [...earlier, ...recent, ignored])
      expect((await postSigned(h, e)).response.status).toBe(200);
    const ids = (events: Record<string, unknown>[]) => events.map((e) => e.id as string);
    await until(
      async () => (await statuses(ids([...earlier, ...recent]))).every((s) => s === 'published'),
      'every event marked published',
    );
    // The earlier ones were published an hour ago, outside the window.
    await h.sql.query(
      `UPDATE webhooks.stripe_events SET published_at = now() - interval '1 hour' WHERE id = ANY($1)`,
      [ids(earlier)],
    );

    // The broker comes back without the messages it had acknowledged: the stream is empty again.
    await h.bus.jsm.streams.delete(h.bus.streamName(STREAMS.stripeEvents));
    await h.bus.ensureStreams([STREAMS.stripeEvents]);
    expect(await h.streamMessages()).toBe(0);

    const since = Math.floor(Date.now() / 1000) - 600;
    expect(await h.bus.request(WebhooksSubject.Republish, { since })).toEqual({ requeued: 5 });
    await until(async () => (await h.streamMessages()) === 5, 'the five recent events in the stream again');
    await until(
      async () => (await statuses(ids(recent))).every((s) => s === 'published'),
      'the recent events marked published again',
    );
    expect(await statuses(ids(earlier))).toEqual(['published', 'published']);
    expect(await inboxRows(h, ignored.id as string)).toEqual([
      { id: ignored.id, status: 'ignored', source: 'webhook' },
    ]);
    expect(await h.lastMsgId('invoice.paid')).toBe(recent[4].id);

    // Asked again, the broker still holds them under their ids: nothing is stored twice.
    expect(await h.bus.request(WebhooksSubject.Republish, { since })).toEqual({ requeued: 5 });
    await until(
      async () => (await statuses(ids(recent))).every((s) => s === 'published'),
      'the second republish marked',
    );
    expect(await h.streamMessages()).toBe(5);
  });

  it('bounds the window by until, and refuses a window that ends before it starts', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await h.bus.request(WebhooksSubject.Republish, { since: now - 7200, until: now - 3000 })).toEqual({
      requeued: 2,
    });
    await expect(h.bus.request(WebhooksSubject.Republish, { since: now, until: now })).rejects.toThrow(
      DomainError,
    );
    await expect(h.bus.request(WebhooksSubject.Republish, { since: -1 })).rejects.toThrow(DomainError);
  });
});
