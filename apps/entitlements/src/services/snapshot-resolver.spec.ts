import { loadCatalog } from '@tollgate/catalog';
import { resolveSnapshot, type OverrideFacts, type SubscriptionFacts } from './snapshot-resolver';

const catalog = loadCatalog();
const NOW = new Date('2026-03-10T12:00:00.000Z');
const options = { now: NOW, revision: 4, stalenessBoundSeconds: 3 * 86_400, defaultWarnAt: 0.8 };

function facts(overrides: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return {
    tenantId: 'acme',
    plan: 'pro',
    interval: 'month',
    state: 'active',
    seats: 5,
    periodStart: new Date('2026-03-01T00:00:00.000Z'),
    periodEnd: new Date('2026-04-01T00:00:00.000Z'),
    graceUntil: null,
    ...overrides,
  };
}

function override(overrides: Partial<OverrideFacts> & Pick<OverrideFacts, 'feature'>): OverrideFacts {
  return { enabled: null, limit: null, enforcement: null, expiresAt: null, ...overrides };
}

describe('resolveSnapshot', () => {
  it('gives a tenant never seen the baseline plan, calendar-month windows and no staleness bound', () => {
    const snapshot = resolveSnapshot(catalog, 'new', null, [], options);
    expect(snapshot).toMatchObject({
      plan: 'free',
      state: 'none',
      periodStart: '2026-03-01T00:00:00.000Z',
      periodEnd: null,
      staleAfter: null,
      refreshAt: null,
      version: 4,
    });
    expect(snapshot.features.sso).toMatchObject({ enabled: false, source: 'baseline', failClosed: true });
    expect(snapshot.features.api_calls).toMatchObject({
      enabled: true,
      limit: 1000,
      enforcement: 'hard',
      source: 'baseline',
    });
  });

  it('resolves every catalog feature from the subscription plan, with the default warnAt where the plan sets none', () => {
    const snapshot = resolveSnapshot(catalog, 'acme', facts(), [], options);
    expect(Object.keys(snapshot.features).sort()).toEqual(Object.keys(catalog.features).sort());
    expect(snapshot.features.custom_domain).toMatchObject({ enabled: true, source: 'plan', mutating: true });
    expect(snapshot.features.sso).toMatchObject({ enabled: false, source: 'plan' });
    expect(snapshot.features.api_calls).toMatchObject({
      limit: 100_000,
      enforcement: 'soft',
      warnAt: 0.8,
      window: 'billing_period',
    });
    expect(snapshot.features.exports).toMatchObject({ limit: 100, window: 'day', warnAt: 0.8 });
    expect(snapshot.features.projects).toMatchObject({ limit: 50, window: 'none' });
    expect(snapshot.staleAfter).toBe('2026-04-04T00:00:00.000Z');
  });

  it('raises the seat limit to the seats the subscription carries (seat add-on)', () => {
    expect(resolveSnapshot(catalog, 'acme', facts({ seats: 12 }), [], options).features.seats.limit).toBe(12);
    expect(resolveSnapshot(catalog, 'acme', facts({ seats: 2 }), [], options).features.seats.limit).toBe(5);
  });

  it.each(['expired', 'canceled', 'none'] as const)(
    'falls back to the baseline when the subscription is %s',
    (state) => {
      const snapshot = resolveSnapshot(catalog, 'acme', facts({ state }), [], options);
      expect(snapshot.plan).toBe('free');
      expect(snapshot.features.custom_domain).toMatchObject({ enabled: false, source: 'baseline' });
      expect(snapshot.staleAfter).toBeNull();
    },
  );

  it.each(['trialing', 'canceled_pending', 'past_due', 'suspended'] as const)(
    'keeps the plan while %s',
    (state) => {
      expect(
        resolveSnapshot(catalog, 'acme', facts({ state }), [], options).features.custom_domain.source,
      ).toBe('plan');
    },
  );

  it('puts an active override above the plan, and the plan above the baseline', () => {
    const snapshot = resolveSnapshot(
      catalog,
      'acme',
      facts(),
      [
        override({ feature: 'sso', enabled: true }),
        override({ feature: 'custom_domain', enabled: false }),
        override({ feature: 'api_calls', limit: 5, enforcement: 'hard' }),
      ],
      options,
    );
    expect(snapshot.features.sso).toMatchObject({ enabled: true, source: 'override' });
    expect(snapshot.features.custom_domain).toMatchObject({ enabled: false, source: 'override' });
    expect(snapshot.features.api_calls).toMatchObject({
      limit: 5,
      enforcement: 'hard',
      source: 'override',
      enabled: true,
    });
    expect(snapshot.features.advanced_analytics.source).toBe('plan');
  });

  it('ignores expired overrides and schedules a refresh at the earliest live expiry', () => {
    const snapshot = resolveSnapshot(
      catalog,
      'acme',
      null,
      [
        override({ feature: 'sso', enabled: true, expiresAt: new Date('2026-03-09T00:00:00Z') }),
        override({ feature: 'priority_support', enabled: true, expiresAt: new Date('2026-03-20T00:00:00Z') }),
        override({ feature: 'custom_domain', enabled: true, expiresAt: new Date('2026-03-15T00:00:00Z') }),
      ],
      options,
    );
    expect(snapshot.features.sso).toMatchObject({ enabled: false, source: 'baseline' });
    expect(snapshot.features.priority_support).toMatchObject({ enabled: true, source: 'override' });
    expect(snapshot.refreshAt).toBe('2026-03-15T00:00:00.000Z');
  });

  it('enables a limit feature missing from the plan only with a limit', () => {
    const granted = resolveSnapshot(
      catalog,
      'acme',
      null,
      [override({ feature: 'exports', limit: 9 })],
      options,
    );
    expect(granted.features.exports).toMatchObject({ enabled: true, limit: 9 });
    const removed = resolveSnapshot(
      catalog,
      'acme',
      facts(),
      [override({ feature: 'exports', enabled: false })],
      options,
    );
    expect(removed.features.exports).toMatchObject({ enabled: false, source: 'override' });
    expect(removed.features.exports.limit).toBeUndefined();
  });
});
