import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type request from 'supertest';
import {
  BillingSubject,
  DomainError,
  ErrorCode,
  IdempotentPlanSelection,
  TenantScoped,
} from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { DataSource } from 'typeorm';
import { eventually, signToken } from '@tollgate/testing';
import { IdempotencyRetention } from '../src/services/idempotency-retention.service';
import { billingStateOf, startGatewayHarness, type GatewayHarness } from './gateway-harness';

const serveState = (bus: NatsBus) =>
  bus.serve(BillingSubject.GetState, TenantScoped, async ({ tenantId }) => billingStateOf(tenantId), {
    queue: 'billing',
  });

describe('gateway (in-process, billing answered by a test responder)', () => {
  let gateway: GatewayHarness;
  let http: ReturnType<typeof request>;
  const checkoutCalls: IdempotentPlanSelection[] = [];
  /** Billing's answer for the 'slow' tenant waits until the test lets it go (not for a fixed time). */
  let releaseSlow: () => void = () => undefined;
  const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));

  beforeAll(async () => {
    gateway = await startGatewayHarness({
      fakes: (bus) => {
        serveState(bus);
        bus.serve(
          BillingSubject.CreateCheckout,
          IdempotentPlanSelection,
          async (req) => {
            checkoutCalls.push(req);
            if (req.tenantId === 'slow') await slowReleased;
            if (req.tenantId === 'busy')
              throw new DomainError(ErrorCode.SubscriptionExistsUseChange, 'live subscription');
            return {
              checkoutUrl: `http://emulator/checkout/cs_${checkoutCalls.length}`,
              sessionId: `cs_${checkoutCalls.length}`,
            };
          },
          { queue: 'billing' },
        );
      },
    });
    http = gateway.http;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const as = (role: 'owner' | 'admin' | 'member' | 'support', tid = 'acme') =>
    signToken({ sub: `u-${role}`, role, tid });

  it('refuses a request without a token with the unauthenticated envelope', async () => {
    const res = await http.get('/v1/billing');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('refuses a token signed with another secret and an expired token', async () => {
    const forged = await signToken(
      { sub: 'x', role: 'owner', tid: 'acme' },
      { secret: 'another-secret-another-secret-0123456789' },
    );
    expect((await http.get('/v1/billing').set('Authorization', `Bearer ${forged}`)).status).toBe(401);
    const expired = await signToken(
      { sub: 'x', role: 'owner', tid: 'acme' },
      { expiresIn: Math.floor(Date.now() / 1000) - 10 },
    );
    expect((await http.get('/v1/billing').set('Authorization', `Bearer ${expired}`)).status).toBe(401);
  });

  it('refuses a tenant token without tid and an operator token with one', async () => {
    const noTid = await signToken({ sub: 'x', role: 'owner' });
    expect((await http.get('/v1/billing').set('Authorization', `Bearer ${noTid}`)).status).toBe(401);
    const operatorWithTid = await signToken({ sub: 'op', role: 'operator', tid: 'acme' });
    expect(
      (await http.get('/v1/billing?tenantId=acme').set('Authorization', `Bearer ${operatorWithTid}`)).status,
    ).toBe(401);
  });

  it('gives owners the full billing state and members only plan, status and renewal', async () => {
    const owner = await http.get('/v1/billing').set('Authorization', `Bearer ${await as('owner')}`);
    expect(owner.status).toBe(200);
    expect(owner.body).toMatchObject({
      tenantId: 'acme',
      plan: 'pro',
      paymentMethod: { brand: 'visa', last4: '4242' },
    });
    const member = await http.get('/v1/billing').set('Authorization', `Bearer ${await as('member')}`);
    expect(member.body).toEqual({ plan: 'pro', status: 'active', renewsAt: '2026-12-21T00:00:00.000Z' });
  });

  it('answers 404 when a tenant token names another tenant, so existence never leaks', async () => {
    const res = await http
      .get('/v1/billing?tenantId=globex')
      .set('Authorization', `Bearer ${await as('owner')}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('lets an operator read any tenant by name', async () => {
    const operator = await signToken({ sub: 'op', role: 'operator' });
    const res = await http.get('/v1/billing?tenantId=globex').set('Authorization', `Bearer ${operator}`);
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe('globex');
  });

  it('forbids members and support from checkout', async () => {
    for (const role of ['member', 'support'] as const) {
      const res = await http
        .post('/v1/billing/checkout')
        .set('Authorization', `Bearer ${await as(role)}`)
        .send({ plan: 'pro', interval: 'month' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('rejects unknown fields and bad values with validation_failed', async () => {
    const res = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${await as('owner')}`)
      .send({ plan: 'gold', interval: 'month', coupon: 'FREE' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(res.body.error.details)).toContain('coupon');
  });

  it('replays the first response for the same Idempotency-Key and body, and conflicts on another body', async () => {
    const token = await as('owner');
    const first = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'k-1')
      .send({ plan: 'pro', interval: 'month' });
    const again = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'k-1')
      .send({ interval: 'month', plan: 'pro' });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(checkoutCalls.filter((c) => c.idempotencyKey === 'k-1')).toHaveLength(1);
    const conflict = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'k-1')
      .send({ plan: 'business', interval: 'month' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
  });

  it('keeps Idempotency-Keys apart per tenant', async () => {
    const res = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${await as('owner', 'globex')}`)
      .set('Idempotency-Key', 'k-1')
      .send({ plan: 'business', interval: 'month' });
    expect(res.status).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers 409 idempotency_in_flight with Retry-After while the first request with the key is running', async () => {
    const token = await as('owner', 'slow');
    const send = () =>
      http
        .post('/v1/billing/checkout')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', 'k-slow')
        .send({ plan: 'pro', interval: 'month' });
    const first = send();
    const firstDone = first.then((res) => res);
    try {
      // The first request is in flight once billing has been asked, and stays so until released below.
      await eventually(() => checkoutCalls.some((c) => c.idempotencyKey === 'k-slow'));
      const second = await send();
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('idempotency_in_flight');
      expect(second.headers['retry-after']).toBe('1');
    } finally {
      releaseSlow();
    }
    expect((await firstDone).status).toBe(200);
    const third = await send();
    expect(third.status).toBe(200);
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(checkoutCalls.filter((c) => c.idempotencyKey === 'k-slow')).toHaveLength(1);
  });

  describe('Idempotency-Keys over time', () => {
    const sql = (text: string, params: unknown[] = []) => gateway.app.get(DataSource).query(text, params);
    const checkout = async (key: string, plan = 'pro') =>
      http
        .post('/v1/billing/checkout')
        .set('Authorization', `Bearer ${await as('owner', 'timely')}`)
        .set('Idempotency-Key', key)
        .send({ plan, interval: 'month' });
    /** Turns a finished key back into the row a gateway that died mid-request leaves, begun `age` ago. */
    const leftInFlight = (key: string, age: string) =>
      sql(
        `UPDATE gateway.idempotency_keys
            SET status = 'in_flight', response_status = NULL, response_body = NULL, completed_at = NULL,
                created_at = now() - $2::interval
          WHERE scope = 'timely' AND key = $1`,
        [key, age],
      );
    const calls = (key: string) => checkoutCalls.filter((c) => c.idempotencyKey === key).length;

    it('takes over a key its dead gateway left in flight past the lease, and only with the same body', async () => {
      expect((await checkout('k-dead')).status).toBe(200);
      await leftInFlight('k-dead', '30 seconds');
      expect((await checkout('k-dead')).body.error.code).toBe('idempotency_in_flight');

      await leftInFlight('k-dead', '3 minutes');
      expect((await checkout('k-dead', 'business')).body.error.code).toBe('idempotency_conflict');
      const retried = await checkout('k-dead');
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(calls('k-dead')).toBe(2);
      const replayed = await checkout('k-dead');
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body).toEqual(retried.body);
      expect(calls('k-dead')).toBe(2);
    });

    it('forgets keys past their retention (a day), so the key starts a new request', async () => {
      expect((await checkout('k-old')).status).toBe(200);
      expect((await checkout('k-new')).status).toBe(200);
      await sql(
        `UPDATE gateway.idempotency_keys SET created_at = now() - interval '25 hours' WHERE scope = 'timely' AND key = 'k-old'`,
      );
      const retention = gateway.app.get(IdempotencyRetention);
      expect(await retention.pruneOnce(new Date(Date.now() - 2 * 3_600_000))).toEqual({
        'gateway.idempotency_keys': 0,
      });
      expect(await retention.pruneOnce()).toEqual({ 'gateway.idempotency_keys': 1 });

      const reused = await checkout('k-old', 'business');
      expect(reused.status).toBe(200);
      expect(reused.headers['idempotent-replayed']).toBeUndefined();
      expect((await checkout('k-new', 'business')).body.error.code).toBe('idempotency_conflict');
    });
  });

  it('refuses a body over the size limit with 413 payload_too_large', async () => {
    const res = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${await as('owner')}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ plan: 'pro', interval: 'month', padding: 'x'.repeat(100_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('sends security headers', async () => {
    const res = await http.get('/v1/plans').set('Authorization', `Bearer ${await as('member')}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it("passes billing's domain errors through with their code and status", async () => {
    const res = await http
      .post('/v1/billing/checkout')
      .set('Authorization', `Bearer ${await as('owner', 'busy')}`)
      .send({ plan: 'pro', interval: 'month' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('subscription_exists_use_change');
  });

  it('answers 503 upstream_unavailable when no service serves the subject', async () => {
    const res = await http.get('/v1/entitlements').set('Authorization', `Bearer ${await as('owner')}`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
  });

  it('serves the plan catalog with integer prices', async () => {
    const res = await http.get('/v1/plans').set('Authorization', `Bearer ${await as('member')}`);
    const pro = res.body.plans.find((p: { id: string }) => p.id === 'pro');
    expect(pro.prices).toEqual([
      { interval: 'month', amount: 2900, currency: 'usd', lookupKey: 'tollgate_pro_month' },
      { interval: 'year', amount: 29000, currency: 'usd', lookupKey: 'tollgate_pro_year' },
    ]);
    expect(pro.includedSeats).toBe(5);
  });

  it('answers health, readiness and metrics', async () => {
    expect((await http.get('/health')).body).toEqual({ status: 'ok' });
    const ready = await http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ nats: { status: 'up' }, postgres: { status: 'up' } });
    const metrics = await http.get('/metrics');
    expect(metrics.text).toContain('tollgate_process_cpu_seconds_total');
  });
});

describe('gateway rate limits', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGatewayHarness({
      env: { RATE_LIMIT_TENANT_PER_MINUTE: '5', RATE_LIMIT_BILLING_WRITES_PER_MINUTE: '2' },
      fakes: serveState,
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 429 rate_limited with Retry-After once a tenant spends its budget, and not for another tenant', async () => {
    const http = gateway.http;
    const acme = await signToken({ sub: 'u', role: 'owner', tid: 'acme' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await http.get('/v1/billing').set('Authorization', `Bearer ${acme}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await http.get('/v1/billing').set('Authorization', `Bearer ${acme}`);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const globex = await signToken({ sub: 'u', role: 'owner', tid: 'globex' });
    expect((await http.get('/v1/billing').set('Authorization', `Bearer ${globex}`)).status).toBe(200);
    expect((await http.get('/health')).status).toBe(200);
  });

  it('holds billing writes to their stricter budget', async () => {
    const http = gateway.http;
    const token = await signToken({ sub: 'u', role: 'owner', tid: 'initech' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await http.post('/v1/billing/resume').set('Authorization', `Bearer ${token}`)).status);
    expect(statuses.slice(0, 2).every((s) => s !== 429)).toBe(true);
    expect(statuses[2]).toBe(429);
  });
});

describe('OpenAPI document', () => {
  it('is served at /docs, generated from the code, and matches docs/openapi.json (UPDATE_OPENAPI=1 rewrites it)', async () => {
    const gateway = await startGatewayHarness();
    try {
      const http = gateway.http;
      expect((await http.get('/docs')).status).toBe(200);
      const document = (await http.get('/docs/openapi.json')).body;
      for (const path of [
        '/v1/tenants',
        '/v1/billing',
        '/v1/billing/checkout',
        '/v1/usage',
        '/v1/entitlements/{feature}',
      ])
        expect(Object.keys(document.paths)).toContain(path);
      const file = join(__dirname, '../../../docs/openapi.json');
      const generated = `${JSON.stringify(document, null, 2)}\n`;
      if (process.env.UPDATE_OPENAPI === '1') writeFileSync(file, generated);
      expect(readFileSync(file, 'utf8')).toBe(generated);
    } finally {
      await gateway.close();
    }
  });
});
