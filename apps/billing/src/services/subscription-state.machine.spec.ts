import { SUBSCRIPTION_STATES } from '@tollgate/contracts';
import {
  isLive,
  legalPath,
  stateFromStripe,
  transition,
  TRANSITIONS,
  type StripeSubscriptionFacts,
} from './subscription-state.machine';

const facts = (overrides: Partial<StripeSubscriptionFacts> = {}): StripeSubscriptionFacts => ({
  status: 'active',
  cancelAtPeriodEnd: false,
  cancelAt: null,
  endedAt: null,
  currentPeriodEnd: new Date('2026-02-01T00:00:00Z'),
  trialEnd: null,
  ...overrides,
});

describe('stateFromStripe', () => {
  it.each([
    ['trialing', 'trialing'],
    ['active', 'active'],
    ['past_due', 'past_due'],
    ['unpaid', 'suspended'],
    ['paused', 'expired'],
    ['incomplete', 'none'],
    ['incomplete_expired', 'none'],
  ])('maps Stripe %s to %s', (status, state) => {
    expect(stateFromStripe(facts({ status }))).toBe(state);
  });

  it('maps an active subscription with a scheduled cancellation to canceled_pending', () => {
    expect(stateFromStripe(facts({ cancelAtPeriodEnd: true }))).toBe('canceled_pending');
    expect(stateFromStripe(facts({ cancelAt: new Date('2026-02-01T00:00:00Z') }))).toBe('canceled_pending');
    expect(stateFromStripe(facts({ status: 'trialing', cancelAtPeriodEnd: true }))).toBe('canceled_pending');
  });

  it('keeps past_due when a cancellation is scheduled: payment trouble outranks it', () => {
    expect(stateFromStripe(facts({ status: 'past_due', cancelAtPeriodEnd: true }))).toBe('past_due');
  });

  it('calls a cancellation at period end an expiry and one mid-period a cancellation', () => {
    const end = new Date('2026-02-01T00:00:00Z');
    expect(
      stateFromStripe(
        facts({ status: 'canceled', cancelAtPeriodEnd: true, endedAt: end, currentPeriodEnd: end }),
      ),
    ).toBe('expired');
    expect(stateFromStripe(facts({ status: 'canceled', endedAt: new Date('2026-01-15T00:00:00Z') }))).toBe(
      'canceled',
    );
  });

  it('calls a subscription canceled at the end of its trial expired (back to Free)', () => {
    const trialEnd = new Date('2026-01-15T00:00:00Z');
    expect(stateFromStripe(facts({ status: 'canceled', trialEnd, endedAt: trialEnd }))).toBe('expired');
    expect(
      stateFromStripe(facts({ status: 'canceled', trialEnd, endedAt: new Date('2026-01-10T00:00:00Z') })),
    ).toBe('canceled');
  });
});

describe('transition', () => {
  it.each([
    ['none', 'trialing'],
    ['none', 'active'],
    ['trialing', 'active'],
    ['trialing', 'expired'],
    ['active', 'past_due'],
    ['past_due', 'active'],
    ['past_due', 'suspended'],
    ['active', 'canceled_pending'],
    ['canceled_pending', 'expired'],
    ['suspended', 'active'],
    ['active', 'canceled'],
    ['past_due', 'canceled'],
  ] as const)('applies the seed transition %s → %s directly', (from, to) => {
    expect(transition(from, to)).toEqual({ kind: 'applied', from, to, path: [from, to] });
  });

  it('reports no change for the same state', () => {
    expect(transition('active', 'active')).toEqual({ kind: 'unchanged', state: 'active' });
  });

  it('accepts a jump through legal steps and names the path (events collapsed by ordering)', () => {
    expect(transition('active', 'expired')).toEqual({
      kind: 'applied',
      from: 'active',
      to: 'expired',
      path: ['active', 'canceled_pending', 'expired'],
    });
    expect(transition('trialing', 'suspended')).toMatchObject({
      kind: 'applied',
      path: ['trialing', 'past_due', 'suspended'],
    });
  });

  it.each([
    ['expired', 'active'],
    ['canceled', 'trialing'],
    ['expired', 'canceled'],
    ['active', 'none'],
    ['suspended', 'trialing'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(transition(from, to)).toMatchObject({ kind: 'refused', from, to });
  });

  it('has a table entry for every state and only targets known states', () => {
    for (const state of SUBSCRIPTION_STATES) {
      expect(TRANSITIONS[state]).toBeDefined();
      for (const next of TRANSITIONS[state]) expect(SUBSCRIPTION_STATES).toContain(next);
    }
  });

  it('treats expired and canceled as terminal and the rest (but none) as live', () => {
    expect(legalPath('expired', 'active')).toBeNull();
    expect(legalPath('canceled', 'active')).toBeNull();
    expect(SUBSCRIPTION_STATES.filter(isLive)).toEqual([
      'trialing',
      'active',
      'past_due',
      'suspended',
      'canceled_pending',
    ]);
  });
});
