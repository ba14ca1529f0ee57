import { BillingSubject, DomainError, STREAMS } from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { run as billingCli } from '../../../scripts/billing-cli';
import { BillingHarness, operator } from './billing-harness';

describe("republishing billing's domain events after the broker lost them", () => {
  const h = new BillingHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  const streamMessages = async () =>
    (await h.bus.jsm.streams.info(h.bus.streamName(STREAMS.billingEvents))).state.messages;
  const count = async (where: string) =>
    Number((await h.ds.query(`SELECT count(*) AS n FROM billing.outbox ${where}`))[0].n);
  const outboxRows = () => count('');
  const unpublished = () => count('WHERE published_at IS NULL');

  it('hands the window back to the outbox relay, which publishes each event once more under its id', async () => {
    for (const id of ['north', 'south'])
      await h.bus.request(BillingSubject.CreateTenant, {
        actor: operator,
        id,
        name: id,
        billingEmail: `billing@${id}.test`,
      });
    await h.outboxObserved();
    const rows = await outboxRows();
    expect(rows).toBeGreaterThanOrEqual(2);
    // One row was published an hour ago, outside the window.
    await h.ds.query(
      `UPDATE billing.outbox SET published_at = now() - interval '1 hour'
        WHERE id = (SELECT id FROM billing.outbox ORDER BY created_at LIMIT 1)`,
    );

    // The broker comes back without the messages it had acknowledged.
    await h.bus.jsm.streams.delete(h.bus.streamName(STREAMS.billingEvents));
    await h.bus.ensureStreams([STREAMS.billingEvents]);
    expect(await streamMessages()).toBe(0);

    const since = Math.floor(Date.now() / 1000) - 600;
    expect(await h.bus.request(BillingSubject.RepublishOutbox, { since })).toEqual({ requeued: rows - 1 });
    await eventually(async () => (await streamMessages()) === rows - 1, { what: 'the window republished' });
    await eventually(async () => (await unpublished()) === 0, { what: 'the relay to mark the rows again' });

    // Asked again, through the operator CLI this time: the broker still holds them under their ids, so
    // nothing is stored twice.
    expect(await billingCli(['republish', '--since', String(since)], h.bus)).toEqual({ requeued: rows - 1 });
    await eventually(async () => (await unpublished()) === 0, { what: 'the second republish marked' });
    expect(await streamMessages()).toBe(rows - 1);
  });

  it('refuses a window that ends before it starts', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(
      h.bus.request(BillingSubject.RepublishOutbox, { since: now, until: now - 1 }),
    ).rejects.toThrow(DomainError);
  });
});
