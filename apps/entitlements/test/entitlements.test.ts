import {
  BillingEvent,
  DomainError,
  ErrorCode,
  isErrorEnvelope,
  type EntitlementDecision,
} from '@tollgate/contracts';
import { EntitlementsClient } from '@tollgate/entitlements-client';
import { eventually } from '@tollgate/testing';
import { startHarness, type Harness } from './entitlements.harness';

const DAY = 86_400_000;
const operator = { type: 'operator' as const, id: 'op-1' };

describe('entitlements service (two replicas, real Postgres and JetStream)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(2);
  });
  afterAll(() => h.close(), 30_000);

  it('answers a plain JSON check with a plain decision: the baseline for a tenant never seen', async () => {
    await expect(h.check('never-seen', 'data_export')).resolves.toEqual({
      allowed: true,
      feature: 'data_export',
      reason: 'included',
      source: 'baseline',
      stale: false,
    });
    await expect(h.check('never-seen', 'sso')).resolves.toMatchObject({
      allowed: false,
      reason: 'not_in_plan',
    });
  });

  it('answers unknown_feature and validation_failed as {"error": {...}} replies', async () => {
    const unknown = await h.raw('entitlements.check.v1', { tenantId: 't', feature: 'teleport' });
    expect(unknown).toEqual({ error: expect.objectContaining({ code: 'unknown_feature' }) });
    const invalid = await h.raw('entitlements.check.v1', { tenantId: 't', feature: 'sso', quantity: 0 });
    expect(invalid).toEqual({
      error: expect.objectContaining({
        code: 'validation_failed',
        details: { fields: { quantity: expect.any(Array) } },
      }),
    });
    const reply = await h.bus.nc.request(
      h.bus.subject('entitlements.check.v1'),
      new TextEncoder().encode('{nope'),
    );
    expect(isErrorEnvelope(JSON.parse(new TextDecoder().decode(reply.data)))).toBe(true);
  });

  it('applies a subscription change and ignores an older event delivered after it', async () => {
    await h.subscriptionChanged({ tenantId: 'ooo', version: 2, plan: 'business' });
    await eventually(async () => (await h.check('ooo', 'sso')).allowed, { what: 'business applied' });
    await h.subscriptionChanged({ tenantId: 'ooo', version: 1, plan: 'pro' });
    await h.subscriptionChanged({ tenantId: 'ooo', version: 3, plan: 'business', seats: 40 });
    await eventually(async () => (await h.service(0).snapshot('ooo')).features.seats.limit === 40, {
      what: 'version 3 applied',
    });
    const snapshot = await h.service(1).snapshot('ooo');
    expect(snapshot.plan).toBe('business');
    await expect(h.check('ooo', 'sso')).resolves.toMatchObject({
      allowed: true,
      reason: 'included',
      source: 'plan',
    });
  });

  it('decides grace_period, suspended_read_only and fail_safe_stale from the subscription state', async () => {
    await h.subscriptionChanged({
      tenantId: 'grace',
      version: 1,
      state: 'past_due',
      graceUntil: new Date(Date.now() + 3 * DAY).toISOString(),
    });
    await eventually(async () => (await h.check('grace', 'custom_domain')).reason === 'grace_period');

    await h.subscriptionChanged({ tenantId: 'susp', version: 1, state: 'suspended' });
    await eventually(async () => (await h.check('susp', 'custom_domain')).reason === 'suspended_read_only');
    await expect(h.check('susp', 'custom_domain')).resolves.toMatchObject({ allowed: false });
    await expect(h.check('susp', 'data_export')).resolves.toMatchObject({
      allowed: true,
      reason: 'included',
    });
    await expect(h.check('susp', 'exports')).resolves.toMatchObject({
      allowed: true,
      reason: 'within_limit',
      limit: 100,
    });

    await h.subscriptionChanged({
      tenantId: 'stale',
      version: 1,
      plan: 'business',
      periodStart: new Date(Date.now() - 40 * DAY).toISOString(),
      periodEnd: new Date(Date.now() - 10 * DAY).toISOString(),
    });
    await eventually(async () => (await h.check('stale', 'advanced_analytics')).reason === 'fail_safe_stale');
    await expect(h.check('stale', 'advanced_analytics')).resolves.toMatchObject({
      allowed: true,
      stale: true,
    });
    await expect(h.check('stale', 'sso')).resolves.toMatchObject({
      allowed: false,
      reason: 'fail_safe_stale',
      stale: true,
    });
  });

  it('puts an override above the plan, audits it, and falls back to the plan when it is cleared', async () => {
    await h.subscriptionChanged({ tenantId: 'prec', version: 1, plan: 'pro' });
    await eventually(async () => (await h.check('prec', 'custom_domain')).source === 'plan');
    await expect(h.check('prec', 'sso')).resolves.toMatchObject({
      allowed: false,
      reason: 'not_in_plan',
      source: 'plan',
    });

    const set = await h.bus.request('entitlements.override.set.v1', {
      tenantId: 'prec',
      feature: 'sso',
      enabled: true,
      reason: 'pilot',
      actor: operator,
    });
    expect(set.features.sso).toMatchObject({ enabled: true, source: 'override' });
    await eventually(async () => (await h.check('prec', 'sso')).allowed);
    await expect(h.check('prec', 'sso')).resolves.toMatchObject({ reason: 'included', source: 'override' });

    await h.bus.request('entitlements.override.clear.v1', {
      tenantId: 'prec',
      feature: 'sso',
      reason: 'pilot over',
      actor: operator,
    });
    await eventually(async () => !(await h.check('prec', 'sso')).allowed);
    const { overrides, audit } = await h.bus.request('entitlements.override.list.v1', { tenantId: 'prec' });
    expect(overrides).toHaveLength(1);
    expect(overrides[0].clearedAt).not.toBeNull();
    expect(audit.map((a) => [a.action, a.actor, a.reason])).toEqual([
      ['cleared', 'operator:op-1', 'pilot over'],
      ['set', 'operator:op-1', 'pilot'],
    ]);

    await h.subscriptionChanged({ tenantId: 'prec', version: 2, state: 'expired' });
    await eventually(async () => (await h.check('prec', 'custom_domain')).source === 'baseline');
    await expect(h.check('prec', 'custom_domain')).resolves.toMatchObject({
      allowed: false,
      reason: 'not_in_plan',
    });
  });

  it('lets an override lapse at its expiry', async () => {
    await h.bus.request('entitlements.override.set.v1', {
      tenantId: 'lapse',
      feature: 'priority_support',
      enabled: true,
      expiresAt: new Date(Date.now() + 1500).toISOString(),
      reason: 'trial of support',
      actor: operator,
    });
    await expect(h.check('lapse', 'priority_support')).resolves.toMatchObject({
      allowed: true,
      source: 'override',
    });
    // Expiry is at 1.5 s; what follows it (a recompute on the next check) gets a deadline fit for a loaded
    // machine, and the test a timeout above it (jest's default of 5 s would cut the wait short).
    await eventually(async () => !(await h.check('lapse', 'priority_support')).allowed, {
      what: 'override expiry',
      timeoutMs: 15_000,
    });
    await expect(h.check('lapse', 'priority_support')).resolves.toMatchObject({ source: 'baseline' });
  }, 30_000);

  it('pushes an invalidation to both replicas and a client library', async () => {
    const client = await EntitlementsClient.connect({ nc: h.bus.nc, namespace: h.namespace });
    try {
      await h.subscriptionChanged({ tenantId: 'push', version: 1, plan: 'pro' });
      await eventually(async () => (await h.check('push', 'advanced_analytics')).allowed);
      const warm = await Promise.all([h.service(0).snapshot('push'), h.service(1).snapshot('push')]);
      expect(warm.map((s) => s.plan)).toEqual(['pro', 'pro']);
      expect(await client.check('push', 'sso')).toMatchObject({ allowed: false });
      expect(client.checkLocal('push', 'sso')).toMatchObject({ allowed: false, reason: 'not_in_plan' });

      await h.subscriptionChanged({ tenantId: 'push', version: 2, plan: 'business' });
      await eventually(() => client.checkLocal('push', 'sso')?.allowed, {
        what: 'client library sees business',
      });
      for (const i of [0, 1]) {
        const cached = h.service(i).checkCached({ tenantId: 'push', feature: 'sso' });
        // Either the replica already holds the new snapshot, or the invalidation dropped the old one.
        if (cached) expect(cached.allowed).toBe(true);
        await expect(h.service(i).check({ tenantId: 'push', feature: 'sso' })).resolves.toMatchObject({
          allowed: true,
        });
      }
      expect(client.stats.invalidations).toBeGreaterThanOrEqual(1);
    } finally {
      client.close();
    }
  });

  it('admits exactly up to a hard limit under concurrent usage across replicas, refusing the rest', async () => {
    const attempts = 40;
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        h.bus
          .request('entitlements.usage.record.v1', {
            tenantId: 'race',
            feature: 'exports',
            quantity: 1,
            idempotencyKey: `race-${i}`,
          })
          .then(
            (d: EntitlementDecision) => ({ ok: true as const, d }),
            (e: DomainError) => ({ ok: false as const, e }),
          ),
      ),
    );
    const admitted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(admitted).toHaveLength(5); // Free: 5 exports a day, hard.
    expect(refused).toHaveLength(attempts - 5);
    for (const r of refused) {
      expect(r.e.code).toBe(ErrorCode.LimitExceeded);
      expect(r.e.details).toEqual({
        decision: expect.objectContaining({
          allowed: false,
          reason: 'hard_limit_exceeded',
          limit: 5,
          used: 5,
        }),
      });
    }
    const usage = await h.bus.request('entitlements.usage.get.v1', { tenantId: 'race' });
    expect(usage.features.find((f) => f.feature === 'exports')).toMatchObject({
      used: 5,
      limit: 5,
      refusedAttempts: attempts - 5,
    });
    await expect(h.check('race', 'exports')).resolves.toMatchObject({
      allowed: false,
      reason: 'hard_limit_exceeded',
    });
  });

  it('records usage idempotently by key and refuses a key reused for another request', async () => {
    const request = { tenantId: 'idem', feature: 'api_calls', quantity: 7, idempotencyKey: 'k1' };
    const first = await h.bus.request('entitlements.usage.record.v1', request);
    const second = await h.bus.request('entitlements.usage.record.v1', request);
    expect(first).toMatchObject({
      allowed: true,
      reason: 'within_limit',
      used: 7,
      limit: 1000,
      remaining: 993,
    });
    expect(second).toEqual(first);
    await expect(
      h.bus.request('entitlements.usage.record.v1', { ...request, quantity: 8 }),
    ).rejects.toMatchObject({ code: ErrorCode.IdempotencyConflict });
    await expect(h.check('idem', 'api_calls', 3)).resolves.toMatchObject({ used: 7, remaining: 993 });
  });

  it('records past a soft limit with soft_limit_exceeded and warns at the threshold', async () => {
    await h.bus.request('entitlements.override.set.v1', {
      tenantId: 'soft',
      feature: 'api_calls',
      limit: 10,
      enforcement: 'soft',
      reason: 'test soft',
      actor: operator,
    });
    const record = (quantity: number, key: string) =>
      h.bus.request('entitlements.usage.record.v1', {
        tenantId: 'soft',
        feature: 'api_calls',
        quantity,
        idempotencyKey: key,
      });
    await expect(record(7, 'a')).resolves.toMatchObject({ reason: 'within_limit' });
    await expect(record(1, 'b')).resolves.toMatchObject({
      reason: 'within_limit',
      warning: 'approaching_limit',
      used: 8,
    });
    await expect(record(5, 'c')).resolves.toMatchObject({
      allowed: true,
      reason: 'soft_limit_exceeded',
      used: 13,
      remaining: 0,
    });
  });

  it('refuses usage of a feature the tenant lacks without counting it', async () => {
    await h.subscriptionChanged({ tenantId: 'ro', version: 1, state: 'suspended' });
    await eventually(async () => (await h.check('ro', 'api_calls')).reason === 'suspended_read_only');
    await expect(
      h.bus.request('entitlements.usage.record.v1', {
        tenantId: 'ro',
        feature: 'api_calls',
        quantity: 1,
        idempotencyKey: 'x',
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
      details: { decision: expect.objectContaining({ reason: 'suspended_read_only' }) },
    });
    const usage = await h.bus.request('entitlements.usage.get.v1', { tenantId: 'ro' });
    expect(usage.features.find((f) => f.feature === 'api_calls')!.used).toBe(0);
  });

  it('persists the baseline for a newly created tenant and ignores unrelated billing events', async () => {
    await h.bus.publish(
      BillingEvent.TenantCreated,
      {
        tenant: {
          id: 'fresh',
          name: 'Fresh',
          billingEmail: 'a@b.c',
          locale: 'en',
          timeZone: 'UTC',
          stripeCustomerId: null,
          createdAt: new Date().toISOString(),
        },
      },
      { msgId: 'created:fresh' },
    );
    await eventually(
      async () =>
        (await h.bus.request('entitlements.snapshot.get.v1', { tenantId: 'fresh', minVersion: 1 }))
          .version === 1,
    );
    await expect(h.check('fresh', 'data_export')).resolves.toMatchObject({
      source: 'baseline',
      allowed: true,
    });
  });
});
