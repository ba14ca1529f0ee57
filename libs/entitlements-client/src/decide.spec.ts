import { DomainError, type EntitlementSnapshot, type ResolvedFeature } from '@tollgate/contracts';
import { decide, decisionStableUntil } from './decide';

const NOW = new Date('2026-03-10T12:00:00.000Z');

function feature(overrides: Partial<ResolvedFeature> & Pick<ResolvedFeature, 'key'>): ResolvedFeature {
  return { type: 'boolean', enabled: true, mutating: false, source: 'plan', ...overrides };
}

function snapshot(overrides: Partial<EntitlementSnapshot> = {}): EntitlementSnapshot {
  return {
    tenantId: 'acme',
    plan: 'pro',
    interval: 'month',
    state: 'active',
    periodStart: '2026-03-01T00:00:00.000Z',
    periodEnd: '2026-04-01T00:00:00.000Z',
    graceUntil: null,
    version: 3,
    computedAt: '2026-03-01T00:00:00.000Z',
    staleAfter: '2026-04-04T00:00:00.000Z',
    refreshAt: null,
    features: {
      analytics: feature({ key: 'analytics' }),
      domain: feature({ key: 'domain', mutating: true }),
      sso: feature({ key: 'sso', failClosed: true }),
      hidden: feature({ key: 'hidden', enabled: false }),
      calls: feature({
        key: 'calls',
        type: 'metered',
        limit: 100,
        enforcement: 'soft',
        warnAt: 0.8,
        window: 'billing_period',
        mutating: true,
      }),
      exports: feature({ key: 'exports', type: 'metered', limit: 5, enforcement: 'hard', window: 'day' }),
      seats: feature({
        key: 'seats',
        type: 'limit',
        limit: 5,
        enforcement: 'hard',
        window: 'none',
        mutating: true,
      }),
    },
    ...overrides,
  };
}

describe('decide', () => {
  it('grants an included boolean feature with reason included', () => {
    expect(decide({ snapshot: snapshot(), feature: 'analytics', now: NOW })).toEqual({
      allowed: true,
      feature: 'analytics',
      reason: 'included',
      source: 'plan',
      stale: false,
    });
  });

  it('refuses a feature the snapshot does not enable with not_in_plan', () => {
    expect(decide({ snapshot: snapshot(), feature: 'hidden', now: NOW })).toMatchObject({
      allowed: false,
      reason: 'not_in_plan',
    });
  });

  it('throws unknown_feature for a key the snapshot does not know', () => {
    expect(() => decide({ snapshot: snapshot(), feature: 'nope', now: NOW })).toThrow(DomainError);
    expect(() => decide({ snapshot: snapshot(), feature: 'nope', now: NOW })).toThrow(
      expect.objectContaining({ code: 'unknown_feature' }),
    );
  });

  it('answers within_limit with limit, used, remaining and the window end', () => {
    expect(decide({ snapshot: snapshot(), feature: 'calls', used: 10, quantity: 5, now: NOW })).toEqual({
      allowed: true,
      feature: 'calls',
      reason: 'within_limit',
      limit: 100,
      used: 10,
      remaining: 90,
      resetsAt: '2026-04-01T00:00:00.000Z',
      source: 'plan',
      stale: false,
    });
  });

  it('warns once the projected usage reaches warnAt of the limit', () => {
    expect(decide({ snapshot: snapshot(), feature: 'calls', used: 79, now: NOW })).toMatchObject({
      reason: 'within_limit',
      warning: 'approaching_limit',
    });
    expect(decide({ snapshot: snapshot(), feature: 'calls', used: 78, now: NOW }).warning).toBeUndefined();
  });

  it('allows past a soft limit, flagged soft_limit_exceeded', () => {
    expect(decide({ snapshot: snapshot(), feature: 'calls', used: 100, now: NOW })).toMatchObject({
      allowed: true,
      reason: 'soft_limit_exceeded',
      remaining: 0,
    });
  });

  it('refuses past a hard limit with hard_limit_exceeded, admitting exactly up to the limit', () => {
    expect(decide({ snapshot: snapshot(), feature: 'exports', used: 4, now: NOW })).toMatchObject({
      allowed: true,
      reason: 'within_limit',
      resetsAt: '2026-03-11T00:00:00.000Z',
    });
    expect(decide({ snapshot: snapshot(), feature: 'exports', used: 5, now: NOW })).toMatchObject({
      allowed: false,
      reason: 'hard_limit_exceeded',
      used: 5,
      remaining: 0,
    });
    expect(
      decide({ snapshot: snapshot(), feature: 'exports', used: 3, quantity: 3, now: NOW }),
    ).toMatchObject({
      allowed: false,
      reason: 'hard_limit_exceeded',
    });
  });

  it('compares a limit feature without reset: no resetsAt', () => {
    const decision = decide({ snapshot: snapshot(), feature: 'seats', quantity: 5, now: NOW });
    expect(decision).toMatchObject({ allowed: true, reason: 'within_limit', limit: 5, used: 0 });
    expect(decision.resetsAt).toBeUndefined();
    expect(decide({ snapshot: snapshot(), feature: 'seats', quantity: 6, now: NOW }).reason).toBe(
      'hard_limit_exceeded',
    );
  });

  it('reports usage after recording when recorded is set', () => {
    expect(
      decide({ snapshot: snapshot(), feature: 'exports', used: 2, quantity: 2, recorded: true, now: NOW }),
    ).toMatchObject({ used: 4, remaining: 1, reason: 'within_limit' });
  });

  it('keeps reading while suspended and refuses mutating features with suspended_read_only', () => {
    const suspended = snapshot({ state: 'suspended' });
    expect(decide({ snapshot: suspended, feature: 'analytics', now: NOW })).toMatchObject({
      allowed: true,
      reason: 'included',
    });
    expect(decide({ snapshot: suspended, feature: 'exports', used: 1, now: NOW })).toMatchObject({
      allowed: true,
      reason: 'within_limit',
    });
    expect(decide({ snapshot: suspended, feature: 'domain', now: NOW })).toMatchObject({
      allowed: false,
      reason: 'suspended_read_only',
    });
  });

  it('allows past_due within grace with grace_period, and turns read-only once grace has passed', () => {
    const grace = snapshot({ state: 'past_due', graceUntil: '2026-03-12T00:00:00.000Z' });
    expect(decide({ snapshot: grace, feature: 'domain', now: NOW })).toMatchObject({
      allowed: true,
      reason: 'grace_period',
    });
    expect(decide({ snapshot: grace, feature: 'calls', used: 1, now: NOW })).toMatchObject({
      allowed: true,
      reason: 'grace_period',
      used: 1,
    });
    expect(decide({ snapshot: grace, feature: 'hidden', now: NOW }).reason).toBe('not_in_plan');
    const after = new Date('2026-03-12T00:00:00.000Z');
    expect(decide({ snapshot: grace, feature: 'domain', now: after }).reason).toBe('suspended_read_only');
    expect(decide({ snapshot: grace, feature: 'analytics', now: after }).reason).toBe('included');
  });

  it('grants with fail_safe_stale past the staleness bound, but refuses fail-closed features', () => {
    const stale = snapshot({ staleAfter: '2026-03-10T00:00:00.000Z', state: 'suspended' });
    expect(decide({ snapshot: stale, feature: 'domain', now: NOW })).toEqual({
      allowed: true,
      feature: 'domain',
      reason: 'fail_safe_stale',
      source: 'plan',
      stale: true,
    });
    expect(decide({ snapshot: stale, feature: 'sso', now: NOW })).toMatchObject({
      allowed: false,
      reason: 'fail_safe_stale',
      stale: true,
    });
    expect(decide({ snapshot: stale, feature: 'exports', used: 5, now: NOW })).toMatchObject({
      allowed: false,
      reason: 'hard_limit_exceeded',
      stale: true,
    });
    expect(decide({ snapshot: stale, feature: 'hidden', now: NOW })).toMatchObject({
      reason: 'not_in_plan',
      stale: true,
    });
  });

  it('never goes stale without a staleAfter (baseline)', () => {
    const baseline = snapshot({ staleAfter: null });
    expect(
      decide({ snapshot: baseline, feature: 'sso', now: new Date('2099-01-01T00:00:00Z') }),
    ).toMatchObject({
      allowed: true,
      stale: false,
    });
  });

  it('carries the feature source into the decision', () => {
    const s = snapshot();
    s.features.analytics = feature({ key: 'analytics', source: 'override' });
    expect(decide({ snapshot: s, feature: 'analytics', now: NOW }).source).toBe('override');
  });
});

describe('decisionStableUntil', () => {
  it('is the earliest time ahead at which staleness, grace or an override could change a decision', () => {
    const s = snapshot({ graceUntil: '2026-03-12T00:00:00.000Z', refreshAt: '2026-03-11T00:00:00.000Z' });
    expect(decisionStableUntil(s, NOW)).toBe(Date.parse('2026-03-11T00:00:00.000Z'));
    expect(decisionStableUntil(s, new Date('2026-03-11T06:00:00.000Z'))).toBe(
      Date.parse('2026-03-12T00:00:00.000Z'),
    );
    expect(decisionStableUntil(snapshot({ staleAfter: null }), NOW)).toBe(Infinity);
  });

  it('holds: a boolean decision is the same at any time before that bound', () => {
    const s = snapshot({ state: 'past_due', graceUntil: '2026-03-12T00:00:00.000Z' });
    const until = decisionStableUntil(s, NOW);
    const first = decide({ snapshot: s, feature: 'domain', now: NOW });
    expect(decide({ snapshot: s, feature: 'domain', now: new Date(until - 1) })).toEqual(first);
    expect(decide({ snapshot: s, feature: 'domain', now: new Date(until) })).not.toEqual(first);
  });
});
