import type { NatsBus } from '@tollgate/messaging';
import { run } from './billing-cli';
import { UsageError } from './operator-cli';

function fakeBus() {
  const calls: [string, unknown, unknown][] = [];
  const bus = {
    request: async (subject: string, payload: unknown, options?: unknown) => {
      calls.push([subject, payload, options]);
      return { requeued: 3 };
    },
  } as unknown as NatsBus;
  return { bus, calls };
}

describe('billing-cli', () => {
  it('asks billing to republish the outbox rows of a window', async () => {
    const { bus, calls } = fakeBus();
    expect(await run(['republish', '--since', '2026-01-01T00:00:00Z'], bus)).toEqual({ requeued: 3 });
    await run(['republish', '--since', '1767225600', '--until', '1767229200'], bus);
    expect(calls).toEqual([
      ['billing.outbox.republish.v1', { since: 1_767_225_600 }, { timeoutMs: 60_000 }],
      ['billing.outbox.republish.v1', { since: 1_767_225_600, until: 1_767_229_200 }, { timeoutMs: 60_000 }],
    ]);
  });

  it('refuses an unknown command, a missing --since and an unreadable --until', async () => {
    const { bus, calls } = fakeBus();
    await expect(run(['replay', '1'], bus)).rejects.toThrow(UsageError);
    await expect(run(['republish'], bus)).rejects.toThrow('--since is required');
    await expect(run(['republish', '--since', '0', '--until', 'later'], bus)).rejects.toThrow(
      '--until later is neither',
    );
    expect(calls).toEqual([]);
  });
});
