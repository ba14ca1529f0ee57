import { backoffFor, isStalled } from './jetstream-consumer';

describe('isStalled', () => {
  const limits = { stallAfterMs: 15_000, ackPendingStallMs: 75_000 };

  it('calls a consume stalled once messages pending delivery have not arrived within stallAfterMs', () => {
    expect(isStalled({ pending: 3, ackPending: 0 }, 14_999, limits)).toBe(false);
    expect(isStalled({ pending: 3, ackPending: 0 }, 15_000, limits)).toBe(true);
    expect(isStalled({ pending: 3, ackPending: 2 }, 15_000, limits)).toBe(true);
  });

  it('waits out the ack wait and the longest backoff for messages only awaiting an ack', () => {
    // Nak'ed with a delay, or delivered to a pull a broker restart lost: they come back by themselves first.
    expect(isStalled({ pending: 0, ackPending: 2 }, 60_000, limits)).toBe(false);
    expect(isStalled({ pending: 0, ackPending: 2 }, 75_000, limits)).toBe(true);
  });

  it('never calls an idle consumer with nothing on the server stalled', () => {
    expect(isStalled({ pending: 0, ackPending: 0 }, 3_600_000, limits)).toBe(false);
  });
});

describe('backoffFor', () => {
  it('uses one delay per delivery and repeats the last', () => {
    expect([1, 2, 3, 9].map((n) => backoffFor(n, [250, 1000, 5000]))).toEqual([250, 1000, 5000, 5000]);
  });
});
