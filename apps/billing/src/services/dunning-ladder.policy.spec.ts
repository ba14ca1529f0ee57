import {
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
    expect(validateLadder({ reminderDays: 2, urgentDays: 4, graceDays: 10 })).toEqual([]);
    expect(validateLadder({ reminderDays: 5, urgentDays: 3, graceDays: 7 })).toHaveLength(1);
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
