/**
 * Route × role × tenant (issue 9): every route of the gateway, called by every role, on its own tenant and
 * on a foreign one. Behind the gateway, fake responders answer every subject and record which tenant each
 * request named, so the test also proves no request for tenant B ever leaves the gateway on A's token.
 */
import type request from 'supertest';
import {
  AddMemberRequest,
  BillingSubject,
  CancelRequest,
  CatchUpRequest,
  RepublishRequest,
  CheckRequest,
  ClearOverrideRequest,
  CreateTenantRequest,
  DeadLetterListRequest,
  DomainError,
  EntitlementsSubject,
  ErrorCode,
  IdRequest,
  IdempotentPlanSelection,
  InvoiceRequest,
  ListTenantsRequest,
  PageRequest,
  PlanSelection,
  ReconcileRunGetRequest,
  ReconcileRunRequest,
  ReconcileRunsListRequest,
  ReconciliationSubject,
  RecordUsageRequest,
  RemoveMemberRequest,
  SetOverrideRequest,
  TenantCommand,
  TenantRequest,
  TenantScoped,
  WebhooksSubject,
  type Role,
} from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { signToken } from '@tollgate/testing';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness';

const OWN = 'acme';
const FOREIGN = 'globex';
type Caller = Role;
const ALL: Caller[] = ['owner', 'admin', 'member', 'support', 'operator'];

interface RouteCase {
  method: 'get' | 'post' | 'put' | 'delete';
  /** `{t}`: the tenant an object id belongs to; `{q}`: the tenant named in the query. */
  path: string;
  body?: object;
  allowed: Caller[];
  /** How a tenant token could name another tenant on this route: a query parameter or an object id. */
  foreign: 'query' | 'object' | 'none';
}

const ROUTES: RouteCase[] = [
  { method: 'get', path: '/v1/plans', allowed: ALL, foreign: 'none' },
  { method: 'get', path: '/v1/billing?tenantId={q}', allowed: ALL, foreign: 'query' },
  {
    method: 'post',
    path: '/v1/billing/checkout',
    body: { plan: 'pro', interval: 'month' },
    allowed: ['owner', 'admin'],
    foreign: 'none',
  },
  { method: 'post', path: '/v1/billing/portal', allowed: ['owner', 'admin'], foreign: 'none' },
  {
    method: 'post',
    path: '/v1/billing/change/preview',
    body: { plan: 'business', interval: 'month' },
    allowed: ['owner', 'admin'],
    foreign: 'none',
  },
  {
    method: 'post',
    path: '/v1/billing/change',
    body: { plan: 'business', interval: 'month' },
    allowed: ['owner', 'admin'],
    foreign: 'none',
  },
  {
    method: 'post',
    path: '/v1/billing/cancel',
    body: { at: 'period_end' },
    allowed: ['owner', 'admin'],
    foreign: 'none',
  },
  { method: 'post', path: '/v1/billing/resume', allowed: ['owner', 'admin'], foreign: 'none' },
  {
    method: 'get',
    path: '/v1/billing/invoices?tenantId={q}',
    allowed: ['owner', 'admin', 'support', 'operator'],
    foreign: 'query',
  },
  {
    method: 'get',
    path: '/v1/billing/invoices/in_{t}_1/pdf?tenantId={q}',
    allowed: ['owner', 'admin', 'support', 'operator'],
    foreign: 'object',
  },
  { method: 'get', path: '/v1/billing/members', allowed: ['owner', 'admin'], foreign: 'none' },
  {
    method: 'post',
    path: '/v1/billing/members',
    body: { userId: 'u9', email: 'u9@example.com' },
    allowed: ['owner', 'admin'],
    foreign: 'none',
  },
  { method: 'delete', path: '/v1/billing/members/{t}-user', allowed: ['owner', 'admin'], foreign: 'object' },
  {
    method: 'get',
    path: '/v1/billing/audit?tenantId={q}',
    allowed: ['owner', 'admin', 'support', 'operator'],
    foreign: 'query',
  },
  {
    method: 'get',
    path: '/v1/entitlements?tenantId={q}',
    allowed: ['owner', 'admin', 'member', 'support'],
    foreign: 'query',
  },
  {
    method: 'get',
    path: '/v1/entitlements/api_calls?tenantId={q}',
    allowed: ['owner', 'admin', 'member', 'support'],
    foreign: 'query',
  },
  {
    method: 'get',
    path: '/v1/usage?tenantId={q}',
    allowed: ['owner', 'admin', 'member', 'support'],
    foreign: 'query',
  },
  {
    method: 'post',
    path: '/v1/usage',
    body: { feature: 'api_calls', quantity: 1, idempotencyKey: 'u-1' },
    allowed: ['owner', 'admin', 'member', 'support'],
    foreign: 'none',
  },
  {
    method: 'post',
    path: '/v1/tenants',
    body: { name: 'New Co', billingEmail: 'b@new.example' },
    allowed: ['operator'],
    foreign: 'none',
  },
  { method: 'get', path: '/v1/tenants', allowed: ['operator'], foreign: 'none' },
  { method: 'get', path: '/v1/tenants/{t}', allowed: ['operator'], foreign: 'none' },
  { method: 'get', path: '/v1/operator/dead-letters', allowed: ['operator'], foreign: 'none' },
  { method: 'get', path: '/v1/operator/dead-letters/1', allowed: ['operator'], foreign: 'none' },
  { method: 'post', path: '/v1/operator/dead-letters/1/replay', allowed: ['operator'], foreign: 'none' },
  { method: 'get', path: '/v1/operator/webhook-events', allowed: ['operator'], foreign: 'none' },
  { method: 'get', path: '/v1/operator/webhook-events/evt_1', allowed: ['operator'], foreign: 'none' },
  {
    method: 'post',
    path: '/v1/operator/webhook-events/catch-up',
    body: { since: 0 },
    allowed: ['operator'],
    foreign: 'none',
  },
  {
    method: 'post',
    path: '/v1/operator/webhook-events/republish',
    body: { since: 0 },
    allowed: ['operator'],
    foreign: 'none',
  },
  {
    method: 'post',
    path: '/v1/operator/billing-events/republish',
    body: { since: 0, until: 60 },
    allowed: ['operator'],
    foreign: 'none',
  },
  { method: 'get', path: '/v1/operator/tenants/{t}/overrides', allowed: ['operator'], foreign: 'none' },
  {
    method: 'put',
    path: '/v1/operator/tenants/{t}/overrides/sso',
    body: { enabled: true, reason: 'pilot' },
    allowed: ['operator'],
    foreign: 'none',
  },
  {
    method: 'delete',
    path: '/v1/operator/tenants/{t}/overrides/sso?reason=done',
    allowed: ['operator'],
    foreign: 'none',
  },
  {
    method: 'post',
    path: '/v1/operator/reconciliation/runs',
    body: { dryRun: true },
    allowed: ['operator'],
    foreign: 'none',
  },
  { method: 'get', path: '/v1/operator/reconciliation/runs', allowed: ['operator'], foreign: 'none' },
  {
    method: 'get',
    path: '/v1/operator/reconciliation/runs/00000000-0000-4000-8000-000000000001',
    allowed: ['operator'],
    foreign: 'none',
  },
];

describe('authorization matrix: every route × every role × own and foreign tenant', () => {
  let gateway: GatewayHarness;
  let bus: NatsBus;
  let http: ReturnType<typeof request>;
  /** Tenants named in requests that reached a service, by the token's tenant. */
  const seen: { subject: string; tenantId: string | undefined }[] = [];

  const answer = <T extends object>(subject: string, dto: new () => T, reply: (req: T) => unknown) =>
    bus.serve(
      subject as never,
      dto as never,
      async (req: T) => {
        seen.push({ subject, tenantId: (req as { tenantId?: string }).tenantId });
        return reply(req) as never;
      },
      { queue: 'fake' },
    );
  const ownedBy = (tenantId: string, id: string) => {
    if (!id.includes(tenantId)) throw new DomainError(ErrorCode.NotFound, 'not found');
  };

  beforeAll(async () => {
    gateway = await startGatewayHarness({
      env: {
        RATE_LIMIT_TENANT_PER_MINUTE: '100000',
        RATE_LIMIT_IP_PER_MINUTE: '100000',
        RATE_LIMIT_BILLING_WRITES_PER_MINUTE: '100000',
      },
    });
    bus = gateway.bus;
    http = gateway.http;
    const ok = (req: object) => ({ ok: true, ...req });
    answer(BillingSubject.GetState, TenantScoped, ({ tenantId }) => ({
      tenantId,
      plan: 'pro',
      status: 'active',
      renewsAt: null,
    }));
    answer(BillingSubject.CreateCheckout, IdempotentPlanSelection, () => ({
      checkoutUrl: 'http://x/cs_1',
      sessionId: 'cs_1',
    }));
    answer(BillingSubject.CreatePortal, TenantCommand, () => ({ url: 'http://x/portal' }));
    answer(BillingSubject.PreviewChange, PlanSelection, ok);
    answer(BillingSubject.ApplyChange, IdempotentPlanSelection, ok);
    answer(BillingSubject.Cancel, CancelRequest, ok);
    answer(BillingSubject.Resume, TenantCommand, ok);
    answer(BillingSubject.ListInvoices, PageRequest, () => ({ data: [], nextCursor: null }));
    answer(BillingSubject.GetInvoice, InvoiceRequest, (req) => {
      ownedBy(req.tenantId, req.invoiceId);
      return { id: req.invoiceId, invoicePdf: 'http://x/in.pdf' };
    });
    answer(BillingSubject.ListMembers, TenantScoped, () => ({
      data: [],
      seats: { used: 0, included: 5, purchased: 0 },
    }));
    answer(BillingSubject.AddMember, AddMemberRequest, ok);
    answer(BillingSubject.RemoveMember, RemoveMemberRequest, (req) => {
      ownedBy(req.tenantId, req.userId);
      return { removed: true };
    });
    answer(BillingSubject.ListAudit, PageRequest, () => ({ data: [], nextCursor: null }));
    answer(BillingSubject.CreateTenant, CreateTenantRequest, ok);
    answer(BillingSubject.ListTenants, ListTenantsRequest, () => ({ data: [], nextCursor: null }));
    answer(BillingSubject.GetTenant, TenantScoped, ok);
    answer(EntitlementsSubject.List, TenantRequest, ok);
    answer(EntitlementsSubject.Check, CheckRequest, (req) => ({
      allowed: true,
      feature: req.feature,
      reason: 'included',
      source: 'plan',
      stale: false,
    }));
    answer(EntitlementsSubject.Usage, TenantRequest, (req) => ({ tenantId: req.tenantId, features: [] }));
    answer(EntitlementsSubject.RecordUsage, RecordUsageRequest, (req) => ({
      allowed: true,
      feature: req.feature,
      reason: 'within_limit',
      source: 'plan',
      stale: false,
    }));
    answer(EntitlementsSubject.ListOverrides, TenantRequest, () => ({ overrides: [], audit: [] }));
    answer(EntitlementsSubject.SetOverride, SetOverrideRequest, ok);
    answer(EntitlementsSubject.ClearOverride, ClearOverrideRequest, ok);
    answer(ReconciliationSubject.Run, ReconcileRunRequest, ok);
    answer(ReconciliationSubject.ListRuns, ReconcileRunsListRequest, () => ({ data: [], nextCursor: null }));
    answer(ReconciliationSubject.GetRun, ReconcileRunGetRequest, ok);
    answer(WebhooksSubject.ListDeadLetters, DeadLetterListRequest, () => ({ data: [], nextCursor: null }));
    answer(WebhooksSubject.GetDeadLetter, IdRequest, ok);
    answer(WebhooksSubject.ReplayDeadLetter, IdRequest, ok);
    answer(WebhooksSubject.ListEvents, DeadLetterListRequest, () => ({ data: [], nextCursor: null }));
    answer(WebhooksSubject.GetEvent, IdRequest, ok);
    answer(WebhooksSubject.CatchUp, CatchUpRequest, () => ({ listed: 0, alreadySeen: 0, fed: 0 }));
    answer(WebhooksSubject.Republish, RepublishRequest, () => ({ requeued: 0 }));
    answer(BillingSubject.RepublishOutbox, RepublishRequest, () => ({ requeued: 0 }));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const tokenFor = (caller: Caller) =>
    caller === 'operator'
      ? signToken({ sub: 'op-1', role: 'operator' })
      : signToken({ sub: `${caller}-1`, role: caller, tid: OWN });

  const call = async (route: RouteCase, caller: Caller, tenant: string) => {
    const objectTenant = route.foreign === 'query' ? OWN : tenant;
    const queryTenant = route.foreign === 'object' ? OWN : tenant;
    const path = route.path.replace(/\{t\}/g, objectTenant).replace(/\{q\}/g, queryTenant);
    const req = http[route.method](path).set('Authorization', `Bearer ${await tokenFor(caller)}`);
    return route.body ? req.send(route.body) : req;
  };

  const cases = ROUTES.flatMap((route) =>
    ALL.map((caller) => [`${route.method.toUpperCase()} ${route.path}`, caller, route] as const),
  );

  it.each(cases)(
    '%s as %s: allowed roles succeed on their own tenant, others get 403',
    async (_name, caller, route) => {
      const res = await call(route, caller, OWN);
      if (route.allowed.includes(caller)) expect([200, 201, 202, 302]).toContain(res.status);
      else {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    },
  );

  it.each(
    cases.filter(
      ([, caller, route]) =>
        route.foreign !== 'none' && caller !== 'operator' && route.allowed.includes(caller),
    ),
  )('%s as %s on a foreign tenant answers 404, never its data', async (_name, caller, route) => {
    const res = await call(route, caller, FOREIGN);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(JSON.stringify(res.body)).not.toContain(FOREIGN.toUpperCase());
  });

  it('never sent a request naming the foreign tenant on a tenant token', () => {
    // Operators may name any tenant; every other request in this file carried the token's own tenant.
    const namedTenants = new Set(seen.map((s) => s.tenantId).filter(Boolean));
    expect(namedTenants.has(OWN)).toBe(true);
    const foreignByTenantTokens = seen.filter((s) => s.tenantId === FOREIGN);
    // Only the operator calls above named the foreign tenant: at most one per operator route.
    expect(foreignByTenantTokens.length).toBe(0);
  });

  it('answers 401 on every route without a token', async () => {
    for (const route of ROUTES) {
      const res = await http[route.method](route.path.replace(/\{[tq]\}/g, OWN));
      expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 401 });
    }
  });
});
