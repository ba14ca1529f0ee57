import {
  Header,
  REPLAY_OF_HEADER,
  STREAMS,
  WebhooksSubject,
  deadLetterSubject,
  stripeEventSubject,
} from '@tollgate/contracts';
import { consumeDurable, type ConsumedMessage } from '@tollgate/messaging';
import { eventually } from '@tollgate/testing';
import { metricValue, startHarness, stripeEvent, type Harness } from './webhooks-harness';

describe('dead letters', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('records a message a consumer gave up on, and replays it once to the original subject', async () => {
    // A real consumer that fails every delivery of the first message and accepts the replay.
    const seen: ConsumedMessage[] = [];
    await consumeDurable(h.bus, {
      stream: STREAMS.stripeEvents,
      durable: 'billing-test',
      maxDeliver: 2,
      backoffMs: [10],
      handler: async (message) => {
        seen.push(message);
        if (!message.headers[REPLAY_OF_HEADER]) throw new Error('tenant not found');
      },
    });
    const event = stripeEvent({ type: 'invoice.paid' });
    await h.bus.publishRaw(stripeEventSubject('invoice.paid'), Buffer.from(JSON.stringify(event)), {
      msgId: event.id as string,
    });

    const listed = await eventually(
      async () => {
        const page = await h.bus.request(WebhooksSubject.ListDeadLetters, {});
        return page.data.length === 1 ? page : undefined;
      },
      { what: 'the dead letter to be recorded' },
    );
    const letter = listed.data[0];
    expect(letter).toMatchObject({
      consumer: 'billing-test',
      subject: 'stripe.event.v1.invoice.paid',
      reason: expect.stringContaining('tenant not found'),
      payload: event,
      status: 'open',
      replayCount: 0,
      replayedAt: null,
    });
    await expect(h.bus.request(WebhooksSubject.GetDeadLetter, { id: letter.id })).resolves.toEqual(letter);
    expect(await metricValue(h, 'tollgate_webhooks_dead_letters_total', { consumer: 'billing-test' })).toBe(
      1,
    );

    const replayed = await h.bus.request(WebhooksSubject.ReplayDeadLetter, { id: letter.id });
    expect(replayed).toMatchObject({
      id: letter.id,
      status: 'replayed',
      replayCount: 1,
      replayedAt: expect.any(String),
    });
    await eventually(() => seen.some((m) => m.headers[REPLAY_OF_HEADER] === letter.id), {
      what: 'the replay',
    });
    const replay = seen.find((m) => m.headers[REPLAY_OF_HEADER] === letter.id)!;
    expect(replay.json()).toEqual(event);
    expect(replay.msgId).toBe(`replay:${letter.id}:1`);

    // Replaying again changes nothing and publishes nothing.
    const before = await h.streamMessages();
    await expect(h.bus.request(WebhooksSubject.ReplayDeadLetter, { id: letter.id })).resolves.toEqual(
      replayed,
    );
    expect(await h.streamMessages()).toBe(before);
  });

  it('records a redelivered dead letter once', async () => {
    const headers = {
      [Header.DeadLetterReason]: 'Error: boom',
      [Header.DeadLetterSubject]: 'billing.tenant.created.v1',
      [Header.DeadLetterConsumer]: 'notifications-test',
      [Header.DeadLetterStreamSeq]: '42',
    };
    const acked = () =>
      metricValue(h, 'tollgate_jetstream_messages_total', {
        consumer: 'webhooks-deadletters',
        outcome: 'acked',
      });
    const ackedBefore = await acked();
    const data = Buffer.from('{"tenantId":"acme"}');
    // Two publications of the same dead letter, past the broker's dedupe (different Nats-Msg-Id).
    await h.bus.publishRaw(deadLetterSubject('notifications-test'), data, { msgId: 'a', headers });
    await h.bus.publishRaw(deadLetterSubject('notifications-test'), data, { msgId: 'b', headers });
    await h.bus.publishRaw(deadLetterSubject('notifications-test'), data, {
      msgId: 'c',
      headers: { ...headers, [Header.DeadLetterStreamSeq]: '43' },
    });
    await eventually(async () => (await acked()) === ackedBefore + 3, { what: 'all three to be handled' });
    const { rows } = await h.sql.query(
      `SELECT original_seq FROM webhooks.dead_letters WHERE consumer = 'notifications-test' ORDER BY original_seq`,
    );
    expect(rows).toEqual([{ original_seq: '42' }, { original_seq: '43' }]);
  });

  it('answers not_found for an unknown or malformed id', async () => {
    await expect(h.bus.request(WebhooksSubject.GetDeadLetter, { id: '999999' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(h.bus.request(WebhooksSubject.ReplayDeadLetter, { id: 'abc' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('pages through dead letters newest first', async () => {
    const first = await h.bus.request(WebhooksSubject.ListDeadLetters, { limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.nextCursor).toBe(first.data[0].id);
    const second = await h.bus.request(WebhooksSubject.ListDeadLetters, {
      limit: 1,
      cursor: first.nextCursor!,
    });
    expect(Number(second.data[0].id)).toBeLessThan(Number(first.data[0].id));
    const open = await h.bus.request(WebhooksSubject.ListDeadLetters, { status: 'replayed' });
    expect(open.data.map((d) => d.status)).toEqual(['replayed']);
  });
});
