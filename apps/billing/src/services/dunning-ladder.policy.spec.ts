import {
  awaitsRetry,
  DEFAULT_LADDER,
  graceEndsAt,
  nextStage,
  predatesStage,
  stageCause,
  stageDue,
  stillOwing,
  upcomingRetry,
  validateLadder,
} from './dunning-ladder.policy';

const since = new Date('2026-03-01T01:00:00Z');
const at = (days: number, seconds = 0) => new Date(since.getTime() + days * 86_400_000 + seconds * 1000);

describe('dunning ladder', () => {
  it('follows seed 004: day 0 failed, day 3 reminder, day 5 urgent, day 7 suspended', () => {
    expect(stageDue(DEFAULT_LADDER, since, at(0))).toBe('payment_failed');
    expect(stageDue(DEFAULT_LADDER, since, at(3, -1))).toBe('payment_failed');
    expect(stageDue(DEFAULT_LADDER, since, at(3))).toBe('reminder');
    expect(stageDue(DEFAULT_LADDER, since, at(5))).toBe('urgent');
    expect(stageDue(DEFAULT_LADDER, since, at(7, -1))).toBe('urgent');
    expect(stageDue(DEFAULT_LADDER, since, at(7))).toBe('suspended');
    expect(graceEndsAt(DEFAULT_LADDER, since)).toEqual(at(7));
  });

  it('only moves forward, and skips a stage that was overtaken', () => {
    expect(nextStage(DEFAULT_LADDER, 'none', since, at(0))).toBe('payment_failed');
    expect(nextStage(DEFAULT_LADDER, 'payment_failed', since, at(1))).toBeNull();
    expect(nextStage(DEFAULT_LADDER, 'reminder', since, at(3, 5))).toBeNull();
    expect(nextStage(DEFAULT_LADDER, 'payment_failed', since, at(6))).toBe('urgent');
    expect(nextStage(DEFAULT_LADDER, 'suspended', since, at(30))).toBeNull();
  });

  it('names a stage of one failure the same way every time it is observed', () => {
    expect(stageCause('sub_1', since, 'reminder')).toBe(stageCause('sub_1', new Date(since), 'reminder'));
    expect(stageCause('sub_1', since, 'reminder')).not.toBe(stageCause('sub_1', at(40), 'reminder'));
  });

  it('accepts a configured ladder only in order', () => {
    expect(validateLadder(DEFAULT_LADDER)).toEqual([]);
    const wait = { retryWaitMinutes: 120 };
    expect(validateLadder({ reminderDays: 2, urgentDays: 4, graceDays: 10, ...wait })).toEqual([]);
    expect(validateLadder({ reminderDays: 5, urgentDays: 3, graceDays: 7, ...wait })).toHaveLength(1);
    // The wait for a retry must end before the next stage starts (here a day apart).
    expect(validateLadder({ ...DEFAULT_LADDER, urgentDays: 4, retryWaitMinutes: 24 * 60 })).toHaveLength(1);
    expect(validateLadder({ ...DEFAULT_LADDER, urgentDays: 4, retryWaitMinutes: 24 * 60 - 1 })).toEqual([]);
    expect(validateLadder({ ...DEFAULT_LADDER, retryWaitMinutes: -1 })).toHaveLength(1);
  });

  describe("waiting for Stripe's retry due at about a stage's start (120 minutes at most)", () => {
    const minutes = (days: number, m: number) => at(days, m * 60);
    it("waits for a retry due a little after the stage's start, until it is made", () => {
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, minutes(3, 30), at(3))).toBe(true);
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, minutes(3, 120), minutes(3, 90))).toBe(true);
    });
    it('waits for a retry whose time has come but that Stripe has not made yet, until the wait runs out', () => {
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, at(3), minutes(3, 10))).toBe(true);
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, at(2), minutes(3, 119))).toBe(true);
      // The wait is over: the stage goes ahead (without a retry date: upcomingRetry names none past).
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, at(3), minutes(3, 120))).toBe(false);
      expect(awaitsRetry(DEFAULT_LADDER, 'urgent', since, at(5), minutes(5, 600))).toBe(false);
    });
    it('does not wait for a retry well after the stage, nor when Stripe will not retry, nor when turned off', () => {
      // Day 3's retry has failed already; the next one is day 5's: the reminder goes out naming it.
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, at(5), minutes(3, 60))).toBe(false);
      expect(awaitsRetry(DEFAULT_LADDER, 'reminder', since, minutes(3, 121), at(3))).toBe(false);
      expect(awaitsRetry(DEFAULT_LADDER, 'suspended', since, null, at(7))).toBe(false);
      const noWait = { ...DEFAULT_LADDER, retryWaitMinutes: 0 };
      expect(awaitsRetry(noWait, 'reminder', since, minutes(3, 1), at(3))).toBe(false);
    });
    it('also holds a suspension back while a retry that could pay is under way', () => {
      expect(awaitsRetry(DEFAULT_LADDER, 'suspended', since, minutes(7, 5), at(7))).toBe(true);
    });
  });

  it('fires a stage only while Stripe still reports the subscription unpaid', () => {
    expect(stillOwing('past_due')).toBe(true);
    expect(stillOwing('unpaid')).toBe(true);
    for (const status of ['active', 'trialing', 'canceled', 'paused', 'incomplete_expired'])
      expect(stillOwing(status)).toBe(false);
  });

  it("announces Stripe's next retry only while it is ahead of the stage's moment", () => {
    const unix = (d: Date) => d.getTime() / 1000;
    expect(upcomingRetry(unix(at(5)), at(3, 3600))).toEqual(at(5));
    expect(upcomingRetry(null, at(3))).toBeNull(); // Stripe will not retry
    expect(upcomingRetry(unix(at(3)), at(3))).toBeNull(); // due now: under way, not ahead
    expect(upcomingRetry(unix(at(3)), at(3, 3600))).toBeNull(); // overdue at Stripe
  });

  it('tells an event older than the stage in force, whose retry date is out of date', () => {
    expect(predatesStage(DEFAULT_LADDER, 'urgent', since, at(3))).toBe(true);
    expect(predatesStage(DEFAULT_LADDER, 'urgent', since, at(5))).toBe(false);
    expect(predatesStage(DEFAULT_LADDER, 'reminder', since, at(3))).toBe(false);
    expect(predatesStage(DEFAULT_LADDER, 'payment_failed', since, at(0))).toBe(false);
    expect(predatesStage(DEFAULT_LADDER, 'none', null, at(0))).toBe(false);
  });
});
