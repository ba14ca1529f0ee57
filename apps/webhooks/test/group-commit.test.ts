import { eventually } from '@tollgate/testing';
import {
  inboxRows,
  metricValue,
  signature,
  startHarness,
  stripeEvent,
  type Harness,
} from './webhooks-harness';

/** Concurrent deliveries share inbox commits; each still gets exactly its own row's outcome. */
describe('inbox group commit', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    return h.post(body, { 'stripe-signature': signature(body) });
  };

  it('records concurrent deliveries once each, duplicates within one batch included, and publishes each once', async () => {
    const events = Array.from({ length: 40 }, () => stripeEvent({ type: 'invoice.updated' }));
    const before = await h.streamMessages();
    const duplicatesBefore = await metricValue(h, 'tollgate_webhooks_duplicates_total');
    // Every event twice, all at once: copies land in the same batch or in concurrent ones.
    const responses = await Promise.all([...events, ...events].map(post));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { duplicate?: true }[];
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(events.length);
    expect(await metricValue(h, 'tollgate_webhooks_duplicates_total')).toBe(duplicatesBefore + events.length);
    const ids = events.map((e) => e.id as string);
    const rows = await h.sql.query('SELECT id FROM webhooks.stripe_events WHERE id = ANY($1)', [ids]);
    expect(rows.rowCount).toBe(events.length);
    expect(await h.streamMessages()).toBe(before + events.length);
    await eventually(
      async () =>
        (
          await h.sql.query(
            `SELECT 1 FROM webhooks.stripe_events WHERE id = ANY($1) AND status = 'published'`,
            [ids],
          )
        ).rowCount === events.length,
      { what: 'every row to be marked published' },
    );
  });

  it('fails every delivery of a batch whose commit fails, acknowledging none, and records them on retry', async () => {
    await h.sql.query(`
      CREATE FUNCTION webhooks.refuse_insert() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'database refuses' USING ERRCODE = '57P01'; END $$;
      CREATE TRIGGER refuse_insert BEFORE INSERT ON webhooks.stripe_events
        FOR EACH ROW EXECUTE FUNCTION webhooks.refuse_insert();`);
    const events = Array.from({ length: 10 }, () => stripeEvent({ type: 'invoice.paid' }));
    try {
      const refused = await Promise.all(events.map(post));
      expect(refused.map((r) => r.status)).toEqual(events.map(() => 500));
      expect(await inboxRows(h, events[0].id as string)).toEqual([]);
    } finally {
      await h.sql.query(`DROP TRIGGER refuse_insert ON webhooks.stripe_events;
                         DROP FUNCTION webhooks.refuse_insert();`);
    }
    // Stripe retries: now they are recorded and acknowledged.
    const retried = await Promise.all(events.map(post));
    expect(retried.map((r) => r.status)).toEqual(events.map(() => 200));
    const rows = await h.sql.query('SELECT id FROM webhooks.stripe_events WHERE id = ANY($1)', [
      events.map((e) => e.id),
    ]);
    expect(rows.rowCount).toBe(events.length);
  });

  it('fails only the delivery whose row Postgres refuses, not the others committed beside it', async () => {
    // jsonb refuses a NUL character; JSON and the signature are fine with it.
    const poison = stripeEvent({ type: 'invoice.paid', data: { object: { id: 'in_1', memo: 'a\u0000b' } } });
    const good = Array.from({ length: 9 }, () => stripeEvent({ type: 'invoice.paid' }));
    const responses = await Promise.all([poison, ...good].map(post));
    expect(responses.map((r) => r.status)).toEqual([500, ...good.map(() => 200)]);
    expect(await inboxRows(h, poison.id as string)).toEqual([]);
    const rows = await h.sql.query('SELECT id FROM webhooks.stripe_events WHERE id = ANY($1)', [
      good.map((e) => e.id),
    ]);
    expect(rows.rowCount).toBe(good.length);
  });

  it('loses nothing when the process never marks a published row: the relay republishes it once', async () => {
    // As if the process died after JetStream's ack and before the mark committed: the mark cannot commit.
    await h.sql.query(`
      CREATE FUNCTION webhooks.refuse_mark() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'mark lost' USING ERRCODE = '57P01'; END $$;
      CREATE TRIGGER refuse_mark BEFORE UPDATE ON webhooks.stripe_events
        FOR EACH ROW WHEN (NEW.status = 'published') EXECUTE FUNCTION webhooks.refuse_mark();`);
    const event = stripeEvent({ type: 'customer.updated' });
    const before = await h.streamMessages();
    const relayed = await metricValue(h, 'tollgate_webhooks_published_total', { source: 'relay' });
    try {
      const response = await post(event);
      expect(response.status).toBe(200);
      expect(await h.lastMsgId('customer.updated')).toBe(event.id);
      // The relay keeps trying (grace 0 here) and its marks fail too: the row stays `received`.
      await eventually(
        async () =>
          (await metricValue(h, 'tollgate_webhooks_published_total', { source: 'relay' })) > relayed,
        { what: 'the relay to republish the unmarked row' },
      );
      expect(await inboxRows(h, event.id as string)).toEqual([
        { id: event.id, status: 'received', source: 'webhook' },
      ]);
    } finally {
      await h.sql.query(`DROP TRIGGER refuse_mark ON webhooks.stripe_events;
                         DROP FUNCTION webhooks.refuse_mark();`);
    }
    // The relay leased the row when it republished it; let that lease run out now rather than in a minute.
    await h.sql.query(`UPDATE webhooks.stripe_events SET next_attempt_at = now() WHERE id = $1`, [event.id]);
    await eventually(async () => (await inboxRows(h, event.id as string))[0]?.status === 'published', {
      what: 'the relay to publish and mark the row',
    });
    // Republished with the same Nats-Msg-Id: JetStream kept one copy.
    expect(await h.streamMessages()).toBe(before + 1);
  });
});
