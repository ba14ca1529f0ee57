/**
 * The walking path of issue 3, through the public contract with every process spawned: an operator creates
 * a tenant; its owner asks for checkout; the customer pays at the emulator, which sends signed webhooks;
 * webhooks verifies, records and publishes; billing projects; entitlements recomputes and invalidates; the
 * gateway shows the paid plan and the decision; notifications mails the SMTP catcher. Then a process is
 * SIGKILLed and restarted in the middle of a second checkout, and nothing is lost.
 */
import { join } from 'node:path';
import {
  TEST_JWT_SECRET,
  TEST_NATS_URL,
  createTestDatabase,
  eventually,
  signToken,
  testNamespace,
  type TestDatabase,
} from '@tollgate/testing';
import { ROOT, startPlatform, type RunningPlatform } from '../../scripts/platform';
import { freePorts } from './pipeline-harness';

jest.setTimeout(180_000);

const WEBHOOK_SECRET = 'whsec_e2e_walking_path_secret';

describe('walking path (every process spawned, real Postgres and NATS)', () => {
  let db: TestDatabase;
  let platform: RunningPlatform;
  let operator: string;

  const api = async (method: string, path: string, token: string, body?: unknown, key?: string) => {
    const res = await fetch(`${platform.urls.gateway}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** Creates the tenant and its checkout; returns the owner token and a function that pays at the emulator. */
  const startCheckout = async (tenantId: string) => {
    const created = await api('POST', '/v1/tenants', operator, {
      id: tenantId,
      name: `Tenant ${tenantId}`,
      billingEmail: `billing@${tenantId}.example`,
    });
    expect(created.status).toBe(201);
    const owner = await signToken({ sub: `${tenantId}-owner`, role: 'owner', tid: tenantId });
    const checkout = await api(
      'POST',
      '/v1/billing/checkout',
      owner,
      { plan: 'pro', interval: 'month' },
      `k-${tenantId}`,
    );
    expect(checkout.status).toBe(200);
    expect(checkout.body.checkoutUrl).toContain(checkout.body.sessionId);
    const pay = async () => {
      const complete = await fetch(
        `${platform.urls.emulator}/_emulator/checkout/${checkout.body.sessionId}/complete`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ paymentMethod: 'pm_card_visa' }),
        },
      );
      expect(complete.ok).toBe(true);
    };
    return { owner, pay };
  };

  const mailTo = (address: string) =>
    eventually(
      async () => {
        const messages = (await (await fetch(`${platform.urls.smtpHttp}/api/messages`)).json()) as {
          to: unknown;
          subject: string;
        }[];
        return messages.find((m) => JSON.stringify(m.to).includes(address));
      },
      { timeoutMs: 60_000, what: `an email to ${address}` },
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    platform = await startPlatform({
      ports: await freePorts(),
      databaseUrl: db.url,
      natsUrl: TEST_NATS_URL,
      namespace: testNamespace(),
      jwtSecret: TEST_JWT_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      stripeSecretKey: 'sk_test_e2e',
      logDir: join(ROOT, 'test-artifacts', 'e2e-logs', db.name),
      logLevel: 'info',
    });
    operator = await signToken({ sub: 'e2e-operator', role: 'operator' });
  });

  afterAll(async () => {
    await platform?.stop();
    await db?.drop();
  });

  it('every service answers /health/ready and /metrics', async () => {
    for (const name of ['gateway', 'webhooks', 'billing', 'entitlements', 'notifications'] as const) {
      const ready = await fetch(`${platform.urls[name]}/health/ready`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`${platform.urls[name]}/metrics`)).text();
      expect(metrics).toContain(`service="${name}"`);
    }
  });

  it('takes a tenant from checkout to a paid plan, an entitlement and an email', async () => {
    const { owner, pay } = await startCheckout('walk');
    await pay();
    const state = await eventually(
      async () => {
        const res = await api('GET', '/v1/billing', owner);
        return res.body.plan === 'pro' && ['trialing', 'active'].includes(res.body.status)
          ? res.body
          : undefined;
      },
      { timeoutMs: 30_000, what: 'billing state on pro' },
    );
    expect(state).toMatchObject({ plan: 'pro', interval: 'month' });
    const decision = await eventually(
      async () => {
        const res = await api('GET', '/v1/entitlements/advanced_analytics', owner);
        return res.body.allowed === true ? res.body : undefined;
      },
      { timeoutMs: 30_000, what: 'advanced_analytics allowed' },
    );
    expect(decision).toMatchObject({ feature: 'advanced_analytics', source: 'plan', stale: false });
    const mail = await mailTo('billing@walk.example');
    expect(mail.subject.length).toBeGreaterThan(0);
  });

  it.each(['webhooks', 'billing', 'entitlements', 'notifications'])(
    'loses nothing when %s is SIGKILLed while the customer pays, then restarted (entitlement and email arrive)',
    async (name) => {
      const { owner, pay } = await startCheckout(`kill-${name}`);
      platform.processes.find((p) => p.name === name)!.child.kill('SIGKILL');
      await pay();
      await platform.restart(name);
      const decision = await eventually(
        async () => {
          const res = await api('GET', '/v1/entitlements/advanced_analytics', owner);
          return res.body.allowed === true ? res.body : undefined;
        },
        { timeoutMs: 60_000, what: `kill-${name} entitled after ${name} restarted` },
      );
      expect(decision.source).toBe('plan');
      expect((await mailTo(`billing@kill-${name}.example`)).subject.length).toBeGreaterThan(0);
    },
  );
});
