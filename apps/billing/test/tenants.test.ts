import { BillingEvent, BillingSubject, ErrorCode } from '@tollgate/contracts';
import { BillingHarness, operator } from './billing-harness';

describe('billing tenants and audit', () => {
  const h = new BillingHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  it('creates a tenant with one Stripe customer, idempotently on the id', async () => {
    const request = {
      actor: operator,
      id: 'acme',
      name: 'Acme Corp',
      billingEmail: 'billing@acme.test',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
    };
    const [first, second] = await Promise.all([
      h.bus.request(BillingSubject.CreateTenant, request),
      h.bus.request(BillingSubject.CreateTenant, request),
    ]);
    expect(first).toMatchObject({
      id: 'acme',
      name: 'Acme Corp',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
    });
    expect(first.stripeCustomerId).toMatch(/^cus_/);
    expect(second).toEqual(first);
    await expect(h.bus.request(BillingSubject.CreateTenant, request)).resolves.toEqual(first);

    const customer = await h.stripe.customers.retrieve(first.stripeCustomerId!);
    expect(customer).toMatchObject({ email: 'billing@acme.test', metadata: { tenant_id: 'acme' } });
    const customers = await h.stripe.customers.list({ limit: 100 });
    expect(customers.data.filter((c) => c.metadata?.tenant_id === 'acme')).toHaveLength(1);

    // Everything billing committed has been published: a second tenant.created would be seen now.
    await h.outboxObserved();
    expect(h.published.filter((e) => e.subject === BillingEvent.TenantCreated)).toHaveLength(1);
    const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: 'acme' });
    expect(audit.data.filter((a) => a.action === 'tenant.created')).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ actor: operator, tenantId: 'acme' });
  });

  it('derives the id from the name and refuses the same id with other details', async () => {
    const created = await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      name: 'Startup Inc.',
      billingEmail: 'a@startup.test',
    });
    expect(created.id).toBe('startup-inc');
    await expect(
      h.bus.request(BillingSubject.CreateTenant, {
        actor: operator,
        name: 'Startup Inc.',
        billingEmail: 'other@startup.test',
      }),
    ).rejects.toMatchObject({ code: ErrorCode.Conflict });
  });

  it('validates requests at the boundary and answers not_found for unknown tenants', async () => {
    await expect(
      h.bus.requestRaw(BillingSubject.CreateTenant, {
        actor: operator,
        name: 'X',
        billingEmail: 'not-an-email',
      }),
    ).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    await expect(h.bus.request(BillingSubject.GetTenant, { tenantId: 'nobody' })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(h.bus.request(BillingSubject.GetState, { tenantId: 'nobody' })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('lists tenants with a cursor', async () => {
    await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id: 'zeta',
      name: 'Zeta',
      billingEmail: 'z@zeta.test',
    });
    const first = await h.bus.request(BillingSubject.ListTenants, { limit: 2 });
    expect(first.data.map((t) => t.id)).toEqual(['acme', 'startup-inc']);
    const rest = await h.bus.request(BillingSubject.ListTenants, { limit: 2, cursor: first.nextCursor! });
    expect(rest).toEqual({ data: [expect.objectContaining({ id: 'zeta' })], nextCursor: null });
  });

  it('keeps the audit log append-only in the database itself', async () => {
    await expect(h.ds.query(`UPDATE billing.audit_log SET action = 'forged'`)).rejects.toThrow(/append-only/);
    await expect(h.ds.query(`DELETE FROM billing.audit_log WHERE tenant_id = 'acme'`)).rejects.toThrow(
      /append-only/,
    );
    const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: 'acme' });
    expect(audit.data.some((a) => a.action === 'tenant.created')).toBe(true);
  });

  it('answers a free/none state for a tenant without a subscription, and uses seats for members', async () => {
    const state = await h.bus.request(BillingSubject.GetState, { tenantId: 'zeta' });
    expect(state).toMatchObject({
      plan: 'free',
      status: 'none',
      interval: null,
      seats: { used: 0, included: 1, purchased: 0 },
    });
    const actor = { type: 'user' as const, id: 'u1', role: 'owner' as const };
    await h.bus.request(BillingSubject.AddMember, {
      actor,
      tenantId: 'zeta',
      userId: 'u1',
      email: 'u1@zeta.test',
    });
    await expect(
      h.bus.request(BillingSubject.AddMember, {
        actor,
        tenantId: 'zeta',
        userId: 'u1',
        email: 'u1@zeta.test',
      }),
    ).resolves.toMatchObject({
      userId: 'u1',
    });
    await expect(
      h.bus.request(BillingSubject.AddMember, {
        actor,
        tenantId: 'zeta',
        userId: 'u2',
        email: 'u2@zeta.test',
      }),
    ).rejects.toMatchObject({ code: ErrorCode.LimitExceeded });
    await expect(h.bus.request(BillingSubject.ListMembers, { tenantId: 'zeta' })).resolves.toMatchObject({
      data: [expect.objectContaining({ userId: 'u1' })],
      seats: { used: 1, included: 1, purchased: 0 },
    });
    await h.bus.request(BillingSubject.RemoveMember, { actor, tenantId: 'zeta', userId: 'u1' });
    await expect(
      h.bus.request(BillingSubject.RemoveMember, { actor, tenantId: 'zeta', userId: 'u1' }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('puts the customer on a test clock, and reports a Stripe refusal as stripe_error with nothing stored', async () => {
    const clock = await h.stripe.testHelpers.testClocks.create({
      frozen_time: Math.floor(Date.now() / 1000),
    });
    const t = await h.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id: 'clocked',
      name: 'Clocked',
      billingEmail: 'c@clocked.test',
      testClock: clock.id,
    });
    const customer = await h.stripe.customers.retrieve(t.stripeCustomerId!);
    expect((customer as { test_clock?: string | null }).test_clock).toBe(clock.id);

    await expect(
      h.bus.request(BillingSubject.CreateTenant, {
        actor: operator,
        id: 'bad-clock',
        name: 'Bad clock',
        billingEmail: 'b@bad.test',
        testClock: 'clock_does_not_exist',
      }),
    ).rejects.toMatchObject({ code: ErrorCode.StripeError });
    await expect(h.bus.request(BillingSubject.GetTenant, { tenantId: 'bad-clock' })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('opens a customer portal session that returns to the billing page', async () => {
    const { url } = await h.bus.request(BillingSubject.CreatePortal, {
      actor: { type: 'user', id: 'u1', role: 'owner' },
      tenantId: 'acme',
    });
    expect(url).toMatch(/^http/);
    const audit = await h.bus.request(BillingSubject.ListAudit, { tenantId: 'acme', limit: 1 });
    expect(audit.data[0]).toMatchObject({ action: 'portal.opened' });
    expect(audit.nextCursor).not.toBeNull();
    const next = await h.bus.request(BillingSubject.ListAudit, {
      tenantId: 'acme',
      limit: 1,
      cursor: audit.nextCursor!,
    });
    expect(next.data[0].id).not.toBe(audit.data[0].id);
  });
});
