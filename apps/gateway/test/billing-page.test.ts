import type { INestApplication } from '@nestjs/common';
import { Script } from 'node:vm';
import request from 'supertest';
import { BillingSubject, TenantCommand, TenantScoped, type BillingState } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import {
  TEST_JWT_SECRET,
  connectTestBus,
  createTestDatabase,
  signToken,
  testNamespace,
  type TestDatabase,
} from '@tollgate/testing';
import { gatewayDefinition } from '../src/gateway.definition';
import { billingStateOf } from './gateway-harness';

const HOSTILE_NAME = `<script>alert("pwned")</script> & 'Sons'`;

function stateOf(tenantId: string): BillingState {
  return billingStateOf(tenantId, {
    status: 'past_due',
    dunning: { stage: 'payment_failed', since: '2026-11-19T00:00:00.000Z', nextRetryAt: null },
  });
}

function setCookieOf(res: request.Response): string[] {
  const header = res.headers['set-cookie'] as unknown;
  return Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
}

function sessionCookie(res: request.Response): string | undefined {
  return setCookieOf(res).find((c) => c.startsWith('tollgate_session='));
}

async function startGateway(db: TestDatabase, namespace: string, env: Record<string, string> = {}) {
  return runService(gatewayDefinition, {
    port: 0,
    env: {
      DATABASE_URL: db.url,
      NATS_NAMESPACE: namespace,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      ...env,
    },
  });
}

describe('billing page (in-process gateway, billing answered by a test responder)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let bus: NatsBus;
  let http: ReturnType<typeof request>;
  const resumes: TenantCommand[] = [];

  beforeAll(async () => {
    const namespace = testNamespace();
    db = await createTestDatabase();
    bus = await connectTestBus(namespace, 'fake-billing');
    const queue = { queue: 'billing' };
    bus.serve(BillingSubject.GetState, TenantScoped, async ({ tenantId }) => stateOf(tenantId), queue);
    bus.serve(
      BillingSubject.GetTenant,
      TenantScoped,
      async ({ tenantId }) => ({
        id: tenantId,
        name: HOSTILE_NAME,
        billingEmail: `billing@${tenantId}.example`,
        locale: 'en-US',
        timeZone: 'America/New_York',
        stripeCustomerId: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
      queue,
    );
    bus.serve(
      BillingSubject.Resume,
      TenantCommand,
      async (req) => {
        resumes.push(req);
        return stateOf(req.tenantId);
      },
      queue,
    );
    app = await startGateway(db, namespace);
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close(500);
    await db?.drop();
  });

  const as = (role: 'owner' | 'admin' | 'member' | 'support', tid = 'acme') =>
    signToken({ sub: `u-${role}`, role, tid });

  /** Signs in through the link and returns the cookie the browser would keep. */
  const signIn = async (token: string): Promise<string> => {
    const res = await http.get(`/billing?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(303);
    return sessionCookie(res)!.split(';')[0];
  };

  it('turns ?token= into an HTTP-only, SameSite=Strict session cookie and a 303 to /billing', async () => {
    const token = await as('owner');
    const res = await http.get(`/billing?token=${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/billing');
    expect(res.headers['cache-control']).toBe('no-store');
    const cookie = sessionCookie(res);
    expect(cookie).toBeDefined();
    expect(cookie).toContain(`tollgate_session=${token}`);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie!)![1]);
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
  });

  it('never lets the cookie outlive the token, and caps a long-lived link at 12 hours', async () => {
    const short = await signToken(
      { sub: 'u', role: 'owner', tid: 'acme' },
      { expiresIn: Math.floor(Date.now() / 1000) + 120 },
    );
    const shortCookie = sessionCookie(await http.get(`/billing?token=${short}`))!;
    expect(Number(/Max-Age=(\d+)/.exec(shortCookie)![1])).toBeLessThanOrEqual(120);
    const long = await signToken({ sub: 'u', role: 'owner', tid: 'acme' }, { expiresIn: '30d' });
    const longCookie = sessionCookie(await http.get(`/billing?token=${long}`))!;
    expect(Number(/Max-Age=(\d+)/.exec(longCookie)![1])).toBe(12 * 3600);
  });

  it('answers a bad or expired link with a 401 page that sets no cookie and echoes nothing', async () => {
    const forged = await signToken(
      { sub: 'x', role: 'owner', tid: 'acme' },
      { secret: 'another-secret-another-secret-0123456789' },
    );
    const expired = await signToken(
      { sub: 'x', role: 'owner', tid: 'acme' },
      { expiresIn: Math.floor(Date.now() / 1000) - 10 },
    );
    for (const token of [forged, expired, 'not-a-jwt']) {
      const res = await http.get(`/billing?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(sessionCookie(res)).toBeUndefined();
      expect(res.text).toContain('This sign-in link does not work');
      expect(res.text).not.toContain(token);
      expect(res.text).not.toContain('Sons');
    }
  });

  it('shows a sign-in page (401 HTML, not the JSON envelope) without a session, and leaks no tenant data', async () => {
    const res = await http.get('/billing');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Sign in to see billing');
    expect(res.text).not.toContain('acme');
    expect(res.text).not.toContain('<script');
  });

  it('clears a session cookie that no longer verifies', async () => {
    const expired = await signToken(
      { sub: 'x', role: 'owner', tid: 'acme' },
      { expiresIn: Math.floor(Date.now() / 1000) - 10 },
    );
    const res = await http.get('/billing').set('Cookie', `tollgate_session=${expired}`);
    expect(res.status).toBe(401);
    expect(sessionCookie(res)).toMatch(/^tollgate_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('sends an operator to the API instead of rendering a tenant page', async () => {
    const cookie = await signIn(await signToken({ sub: 'op', role: 'operator' }));
    const res = await http.get('/billing').set('Cookie', cookie);
    expect(res.status).toBe(403);
    expect(res.text).toContain('This page is for tenant accounts');
  });

  it('renders the owner page with the tenant name escaped, a strict CSP and no inline script', async () => {
    const cookie = await signIn(await as('owner'));
    const res = await http.get('/billing').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;Sons&#39;');
    expect(res.text).not.toContain('<script>alert');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.text).toContain('data-locale="en-US"');
    expect(res.text).toContain('data-time-zone="America/New_York"');
    for (const id of [
      'change-preview',
      'cancel-open',
      'resume-button',
      'banner-fix',
      'invoices-rows',
      'audit-rows',
    ])
      expect(res.text).toContain(`id="${id}"`);
  });

  it('gives support every section but no action or portal buttons', async () => {
    const cookie = await signIn(await as('support'));
    const res = await http.get('/billing').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="invoices-rows"');
    expect(res.text).toContain('id="audit-rows"');
    expect(res.text).toContain('id="payment-method"');
    for (const id of [
      'actions',
      'change-preview',
      'cancel-open',
      'resume-button',
      'banner-fix',
      'members-list',
    ])
      expect(res.text).not.toContain(`id="${id}"`);
  });

  it('gives a member a read-only page with plan, status and renewal and no other controls or sections', async () => {
    const cookie = await signIn(await as('member'));
    const res = await http.get('/billing').set('Cookie', cookie);
    expect(res.status).toBe(200);
    for (const id of ['plan', 'status', 'renewal']) expect(res.text).toContain(`id="${id}"`);
    for (const id of ['actions', 'invoices-rows', 'audit-rows', 'payment-method', 'seats', 'banner-fix'])
      expect(res.text).not.toContain(`id="${id}"`);
    const buttons = res.text.match(/<button[^>]*>/g) ?? [];
    expect(buttons).toEqual(['<button type="button" id="sign-out" class="link">']);
    expect(res.text).not.toMatch(/<(select|input|form)\b/);
  });

  it('serves the script and stylesheet the page names, with their types, and the script parses', async () => {
    const cookie = await signIn(await as('owner'));
    const page = (await http.get('/billing').set('Cookie', cookie)).text;
    const scriptSrc = /<script src="([^"]+)"/.exec(page)![1].replace(/&amp;/g, '&');
    const styleHref = /<link rel="stylesheet" href="([^"]+)"/.exec(page)![1];
    const script = await http.get(scriptSrc);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['cache-control']).toContain('immutable');
    expect(() => new Script(script.text)).not.toThrow();
    const style = await http.get(styleHref);
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    expect((await http.get('/billing/assets/billing-page.js')).headers['cache-control']).toBe('no-cache');
    expect((await http.get('/billing/assets/..%2Fgateway.module.ts')).status).toBe(404);
    expect((await http.get('/billing/assets/constructor')).status).toBe(404);
  });

  it('lets the page read the JSON API with the cookie alone', async () => {
    const cookie = await signIn(await as('owner'));
    const res = await http.get('/v1/billing').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId: 'acme', status: 'past_due' });
    const member = await http.get('/v1/billing').set('Cookie', await signIn(await as('member')));
    expect(member.body).toEqual({ plan: 'pro', status: 'past_due', renewsAt: '2026-12-21T00:00:00.000Z' });
  });

  it('refuses a cookie-authenticated write without X-Tollgate-CSRF and performs none of it', async () => {
    const cookie = await signIn(await as('owner', 'csrf-victim'));
    const before = resumes.length;
    const forged = await http.post('/v1/billing/resume').set('Cookie', cookie).send({});
    expect(forged.status).toBe(403);
    expect(forged.body).toEqual({
      error: {
        code: 'forbidden',
        message: expect.stringContaining('X-Tollgate-CSRF'),
        details: { reason: 'csrf_header_missing' },
      },
    });
    const wrongValue = await http
      .post('/v1/billing/resume')
      .set('Cookie', cookie)
      .set('X-Tollgate-CSRF', 'yes')
      .send({});
    expect(wrongValue.status).toBe(403);
    const signOut = await http.post('/billing/sign-out').set('Cookie', cookie);
    expect(signOut.status).toBe(403);
    expect(resumes.length).toBe(before);

    const allowed = await http
      .post('/v1/billing/resume')
      .set('Cookie', cookie)
      .set('X-Tollgate-CSRF', '1')
      .set('Idempotency-Key', 'page-k-1')
      .send({});
    expect(allowed.status).toBe(200);
    expect(resumes.filter((r) => r.tenantId === 'csrf-victim')).toHaveLength(1);
  });

  it('leaves Bearer clients alone, even when a stray cookie is present', async () => {
    const token = await as('owner', 'bearer-client');
    const res = await http
      .post('/v1/billing/resume')
      .set('Authorization', `Bearer ${token}`)
      .set('Cookie', `tollgate_session=${await as('owner', 'someone-else')}`)
      .send({});
    expect(res.status).toBe(200);
    expect(resumes.at(-1)!.tenantId).toBe('bearer-client');
  });

  it('signs out by clearing the cookie', async () => {
    const cookie = await signIn(await as('owner'));
    const res = await http.post('/billing/sign-out').set('Cookie', cookie).set('X-Tollgate-CSRF', '1');
    expect(res.status).toBe(204);
    expect(sessionCookie(res)).toMatch(/^tollgate_session=;/);
  });
});

describe('billing page behind a TLS-terminating proxy', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startGateway(db, testNamespace(), { TRUST_PROXY: 'true' });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('marks the session cookie Secure when the request came over HTTPS', async () => {
    const token = await signToken({ sub: 'u', role: 'owner', tid: 'acme' });
    const http = request(app.getHttpServer());
    const overTls = await http.get(`/billing?token=${token}`).set('X-Forwarded-Proto', 'https');
    expect(sessionCookie(overTls)).toMatch(/; Secure/);
    expect(String(overTls.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    const plain = await http.get(`/billing?token=${token}`);
    expect(sessionCookie(plain)).not.toMatch(/; Secure/);
  });
});
