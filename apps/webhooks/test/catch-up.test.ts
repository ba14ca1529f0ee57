import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhooksSubject } from '@tollgate/contracts';
import { inboxRows, postSigned, startHarness, stripeEvent, type Harness } from './webhooks-harness';

/** Stripe's Events API, as much of it as catch-up uses: newest first, `created[gte]`, cursor pages. */
function fakeEventsApi(
  events: Record<string, unknown>[],
): Promise<{ server: Server; url: string; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    calls.push(url.pathname + url.search);
    if (url.pathname !== '/v1/events' || req.headers.authorization !== 'Bearer sk_test_catchup') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'not found' } }));
      return;
    }
    const gte = Number(url.searchParams.get('created[gte]') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 10);
    const after = url.searchParams.get('starting_after');
    let matching = events
      .filter((e) => (e.created as number) >= gte)
      .sort((a, b) => (b.created as number) - (a.created as number));
    if (after) matching = matching.slice(matching.findIndex((e) => e.id === after) + 1);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        url: '/v1/events',
        has_more: matching.length > limit,
        data: matching.slice(0, limit),
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls }),
    ),
  );
}

describe('catch-up and the event explorer', () => {
  const base = Math.floor(Date.now() / 1000) - 3600;
  // 130 events: more than one page of 100; one older than the window; one type outside the allowlist.
  const events = Array.from({ length: 130 }, (_, i) =>
    stripeEvent({ created: base + i, type: 'invoice.updated' }),
  );
  const old = stripeEvent({ created: base - 600 });
  const ignored = stripeEvent({ created: base + 200, type: 'charge.refunded' });
  let api: Awaited<ReturnType<typeof fakeEventsApi>>;
  let h: Harness;

  beforeAll(async () => {
    api = await fakeEventsApi([...events, old, ignored]);
    h = await startHarness({ STRIPE_SECRET_KEY: 'sk_test_catchup', STRIPE_API_BASE: api.url });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => api.server.close(r));
  });

  it('feeds the events the inbox never saw through the same pipeline, following every page', async () => {
    // Two were delivered normally before the catch-up.
    for (const e of events.slice(0, 2)) expect((await postSigned(h, e)).response.status).toBe(200);
    const before = await h.streamMessages();

    const reply = await h.bus.request(WebhooksSubject.CatchUp, { since: base }, { timeoutMs: 20_000 });
    expect(reply).toEqual({ listed: 131, alreadySeen: 2, fed: 129 });
    expect(api.calls.filter((c) => c.startsWith('/v1/events'))).toHaveLength(2);
    expect(await h.streamMessages()).toBe(before + 128);
    expect(await inboxRows(h, events[50].id as string)).toEqual([
      { id: events[50].id, status: 'published', source: 'catch_up' },
    ]);
    expect(await inboxRows(h, ignored.id as string)).toEqual([
      { id: ignored.id, status: 'ignored', source: 'catch_up' },
    ]);
    expect(await inboxRows(h, old.id as string)).toEqual([]);

    // Running it again feeds nothing.
    await expect(
      h.bus.request(WebhooksSubject.CatchUp, { since: base }, { timeoutMs: 20_000 }),
    ).resolves.toEqual({
      listed: 131,
      alreadySeen: 131,
      fed: 0,
    });
    expect(await h.streamMessages()).toBe(before + 128);
  });

  it('lists recorded events newest first with a cursor, and shows one with its payload', async () => {
    const first = await h.bus.request(WebhooksSubject.ListEvents, { limit: 100 });
    expect(first.data).toHaveLength(100);
    const second = await h.bus.request(WebhooksSubject.ListEvents, { limit: 100, cursor: first.nextCursor! });
    expect(second.data).toHaveLength(31);
    expect(second.nextCursor).toBeNull();
    const ids = new Set([...first.data, ...second.data].map((e) => e.id));
    expect(ids.size).toBe(131);

    const ignoredOnly = await h.bus.request(WebhooksSubject.ListEvents, { status: 'ignored' });
    expect(ignoredOnly.data.map((e) => e.id)).toEqual([ignored.id]);

    const shown = await h.bus.request(WebhooksSubject.GetEvent, { id: events[0].id as string });
    expect(shown).toMatchObject({
      id: events[0].id,
      type: 'invoice.updated',
      status: 'published',
      livemode: false,
      stripeCreatedAt: new Date(base * 1000).toISOString(),
      payload: events[0],
    });
    await expect(h.bus.request(WebhooksSubject.GetEvent, { id: 'evt_missing' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('looks back no further than a day inside the inbox retention (35 days by default)', async () => {
    const reply = await h.bus.request(WebhooksSubject.CatchUp, { since: 0 }, { timeoutMs: 20_000 });
    // Only the event older than the first catch-up's window is new.
    expect(reply).toEqual({ listed: 132, alreadySeen: 131, fed: 1 });
    expect(await inboxRows(h, old.id as string)).toEqual([
      { id: old.id, status: 'published', source: 'catch_up' },
    ]);
    const gte = Number(new URL(api.calls.at(-1)!, 'http://x').searchParams.get('created[gte]'));
    const expected = Math.floor(Date.now() / 1000) - 34 * 86_400;
    expect(Math.abs(gte - expected)).toBeLessThan(60);
  });
});
