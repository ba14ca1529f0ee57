import { UsageError, option, parseSince } from './operator-cli';
import { run } from './webhooks-cli';
import type { NatsBus } from '@tollgate/messaging';

function fakeBus() {
  const calls: [string, unknown, unknown][] = [];
  const bus = {
    request: async (subject: string, payload: unknown, options?: unknown) => {
      calls.push([subject, payload, options]);
      return { ok: true };
    },
  } as unknown as NatsBus;
  return { bus, calls };
}

describe('webhooks-cli', () => {
  it('reads --since as unix seconds or an ISO time', () => {
    expect(parseSince('1767225600')).toBe(1_767_225_600);
    expect(parseSince('2026-01-01T00:00:00Z')).toBe(1_767_225_600);
    expect(() => parseSince('yesterday')).toThrow(UsageError);
    expect(() => parseSince(undefined)).toThrow(UsageError);
  });

  it('refuses an option without a value', () => {
    expect(() => option(['--limit'], 'limit')).toThrow(UsageError);
    expect(option(['--limit', '5'], 'limit')).toBe('5');
  });

  it('maps commands onto the operator subjects', async () => {
    const { bus, calls } = fakeBus();
    await run(['dead-letters', 'list', '--status', 'open', '--limit', '10'], bus);
    await run(['dead-letters', 'replay', '42'], bus);
    await run(['events', 'show', 'evt_1'], bus);
    await run(['catch-up', '--since', '1767225600'], bus);
    await run(['republish', '--since', '2026-01-01T00:00:00Z'], bus);
    await run(['republish', '--since', '1767225600', '--until', '2026-01-01T01:00:00Z'], bus);
    expect(calls).toEqual([
      ['webhooks.deadletters.list.v1', { status: 'open', limit: 10 }, undefined],
      ['webhooks.deadletters.replay.v1', { id: '42' }, undefined],
      ['webhooks.events.get.v1', { id: 'evt_1' }, undefined],
      ['webhooks.catchup.v1', { since: 1_767_225_600 }, { timeoutMs: 600_000 }],
      ['webhooks.events.republish.v1', { since: 1_767_225_600 }, { timeoutMs: 60_000 }],
      ['webhooks.events.republish.v1', { since: 1_767_225_600, until: 1_767_229_200 }, { timeoutMs: 60_000 }],
    ]);
  });

  it('refuses an unknown command or a missing id', async () => {
    const { bus } = fakeBus();
    await expect(run(['dead-letters', 'delete', '1'], bus)).rejects.toThrow(UsageError);
    await expect(run(['dead-letters', 'replay'], bus)).rejects.toThrow(UsageError);
    await expect(run(['republish'], bus)).rejects.toThrow('--since is required');
    await expect(run(['republish', '--since', '0', '--until', 'later'], bus)).rejects.toThrow(
      '--until later is neither',
    );
  });
});
