import { notificationsFor, type SubscriptionChange } from './subscription-notifications.policy';

const change = (overrides: Partial<SubscriptionChange> = {}): SubscriptionChange => ({
  subscriptionId: 'sub_1',
  from: 'none',
  to: 'active',
  plan: 'pro',
  interval: 'month',
  previousPlan: null,
  previousInterval: null,
  trialEnd: null,
  cancelAt: null,
  currentPeriodEnd: new Date('2026-02-01T00:00:00Z'),
  eventId: 'evt_1',
  ...overrides,
});

describe('notificationsFor', () => {
  it('asks for trial_started once per subscription when a trial begins', () => {
    const out = notificationsFor(change({ to: 'trialing', trialEnd: new Date('2026-01-15T00:00:00Z') }));
    expect(out).toEqual([
      {
        kind: 'trial_started',
        cause: 'sub:sub_1:trial_started',
        data: { plan: 'pro', interval: 'month', trialEndsAt: '2026-01-15T00:00:00.000Z' },
      },
    ]);
    // Another event observing the same start produces the same cause, so downstream dedupes it.
    expect(notificationsFor(change({ to: 'trialing', eventId: 'evt_2' }))[0].cause).toBe(
      'sub:sub_1:trial_started',
    );
  });

  it('asks for nothing when the state and plan stay the same', () => {
    expect(
      notificationsFor(
        change({ from: 'active', to: 'active', previousPlan: 'pro', previousInterval: 'month' }),
      ),
    ).toEqual([]);
  });

  it('announces cancellations, and leaves payment trouble to the dunning ladder', () => {
    expect(notificationsFor(change({ from: 'past_due', to: 'suspended' }))).toEqual([]);
    expect(notificationsFor(change({ from: 'suspended', to: 'active' }))).toEqual([]);
    expect(notificationsFor(change({ from: 'past_due', to: 'active' }))).toEqual([]);
    const pending = notificationsFor(change({ from: 'active', to: 'canceled_pending' }));
    expect(pending[0]).toMatchObject({
      kind: 'canceled',
      data: { immediate: false, accessUntil: '2026-02-01T00:00:00.000Z' },
    });
    expect(notificationsFor(change({ from: 'active', to: 'canceled' }))[0]).toMatchObject({
      kind: 'canceled',
      data: { immediate: true },
    });
  });

  it('mails each period-end cancellation, even a second one for the same period end after a resume', () => {
    const cancel = (eventId: string) =>
      notificationsFor(change({ from: 'active', to: 'canceled_pending', eventId }))[0].cause;
    expect(cancel('cancel:sub_1:period_end:a')).not.toBe(cancel('cancel:sub_1:period_end:b'));
    // The same change observed again (a redelivered event) keeps its cause, so it is one email.
    expect(cancel('evt_9')).toBe(cancel('evt_9'));
  });

  it('announces a plan change with the previous plan', () => {
    const out = notificationsFor(
      change({
        from: 'active',
        to: 'active',
        plan: 'business',
        previousPlan: 'pro',
        previousInterval: 'month',
      }),
    );
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'plan_changed',
        data: expect.objectContaining({ plan: 'business', previousPlan: 'pro' }),
      }),
    ]);
  });
});
