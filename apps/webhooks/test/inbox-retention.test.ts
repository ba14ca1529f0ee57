import { InboxRetentionService } from '../src/services/inbox-retention.service';
import {
  inboxRows,
  metricValue,
  postSigned,
  startHarness,
  stripeEvent,
  type Harness,
} from './webhooks-harness';

const DAY_MS = 86_400_000;

/** Moves a row's recording time `days` into the past. */
async function age(h: Harness, id: string, days: number): Promise<void> {
  await h.sql.query(
    `UPDATE webhooks.stripe_events SET received_at = now() - make_interval(days => $2) WHERE id = $1`,
    [id, days],
  );
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('inbox retention', () => {
  let h: Harness;

  beforeAll(async () => {
    // A pass every second (the first one a second after boot), retention 35 days (the default).
    h = await startHarness({ WEBHOOK_INBOX_PRUNE_INTERVAL_MS: '1000' });
  });
  afterAll(() => h.close());

  it('deletes published and ignored rows past the retention, keeps unpublished and recent ones', async () => {
    const published = stripeEvent();
    const ignored = stripeEvent({ type: 'charge.refunded' });
    const unpublished = stripeEvent();
    const recent = stripeEvent();
    const atLimit = stripeEvent();
    for (const event of [published, ignored, unpublished, recent, atLimit])
      expect((await postSigned(h, event)).response.status).toBe(200);
    // Every publication's mark has landed (a late one would turn the row below back to published).
    await until(async () => (await inboxRows(h)).every((row) => row.status !== 'received'));
    // One row the relay has not published yet (its next attempt far off, so the relay leaves it alone).
    await h.sql.query(
      `UPDATE webhooks.stripe_events
          SET status = 'received', published_at = NULL, next_attempt_at = now() + interval '1 day'
        WHERE id = $1`,
      [unpublished.id],
    );
    const prunedBefore = await metricValue(h, 'tollgate_webhooks_inbox_pruned_total');
    for (const event of [published, ignored, unpublished]) await age(h, event.id as string, 40);
    await age(h, atLimit.id as string, 34);

    await until(async () => (await inboxRows(h, published.id as string)).length === 0);
    expect(await inboxRows(h, ignored.id as string)).toEqual([]);
    expect(await inboxRows(h, unpublished.id as string)).toEqual([
      { id: unpublished.id, status: 'received', source: 'webhook' },
    ]);
    expect(await inboxRows(h, recent.id as string)).toHaveLength(1);
    expect(await inboxRows(h, atLimit.id as string)).toHaveLength(1);
    expect(await metricValue(h, 'tollgate_webhooks_inbox_pruned_total')).toBe(prunedBefore + 2);

    // A kept row still deduplicates its redelivery.
    const messages = await h.streamMessages();
    expect((await postSigned(h, recent)).response.status).toBe(200);
    expect(await h.streamMessages()).toBe(messages);
    expect(await inboxRows(h, recent.id as string)).toHaveLength(1);
  });
});

describe('inbox retention, one pass', () => {
  let h: Harness;

  // The default interval: the scheduled first pass is a minute away, so the test's own pass is the only one.
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('prunes a backlog larger than one statement, and only what is past the retention', async () => {
    const retention = h.app.get(InboxRetentionService);
    await h.sql.query(
      `INSERT INTO webhooks.stripe_events (id, type, livemode, stripe_created_at, payload, status, source, received_at, published_at)
       SELECT 'evt_old_' || n, 'invoice.paid', false, now() - interval '50 days', '{}'::jsonb, 'published', 'webhook',
              now() - interval '50 days' + make_interval(secs => n), now() - interval '50 days'
         FROM generate_series(1, 12000) AS n`,
    );
    const kept = stripeEvent();
    expect((await postSigned(h, kept)).response.status).toBe(200);

    // Fifteen and a half days ago, these rows were 34.5 days old: inside the 35 days.
    expect(await retention.pruneInbox(new Date(Date.now() - 15.5 * DAY_MS))).toBe(0);
    expect(await retention.pruneInbox()).toBe(12_000);
    const { rows } = await h.sql.query(`SELECT id FROM webhooks.stripe_events`);
    expect(rows).toEqual([{ id: kept.id }]);
    expect(await retention.pruneInbox()).toBe(0);
  });
});
