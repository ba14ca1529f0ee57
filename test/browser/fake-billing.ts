/**
 * A stand-in for the billing service on NATS, for driving the billing page in a browser without Stripe:
 * the three demo tenants of seed 004 (Acme Corp, Startup Inc, Old Co), and commands that answer at once
 * but change the state only `confirmDelayMs` later with a newer syncedAt, the way a Stripe webhook lands
 * after the API call returns. That gap is what the page's "waiting for Stripe" state is about.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BillingSubject,
  CancelRequest,
  DomainError,
  ErrorCode,
  IdempotentPlanSelection,
  InvoiceRequest,
  PageRequest,
  PlanSelection,
  TenantCommand,
  TenantScoped,
  type AuditEntry,
  type BillingState,
  type ChangePreview,
  type Invoice,
  type Member,
  type PlanId,
  type Tenant,
} from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';

const DAY_MS = 24 * 3600 * 1000;
const RANK: Record<PlanId, number> = { free: 0, pro: 1, business: 2 };
const iso = (ms: number) => new Date(ms).toISOString();

/** An invoice number as hostile as a tenant-controlled string can be: it must render as text. */
export const HOSTILE_INVOICE_NUMBER = '<img src=x onerror="window.__pwned=1">INV-0001';

interface TenantRecord {
  tenant: Tenant;
  state: BillingState;
  invoices: Invoice[];
  audit: AuditEntry[];
  members: Member[];
}

export interface FakeBilling {
  /** Calls to the write subjects, in order, with the Idempotency-Key billing received. */
  calls: { subject: string; tenantId: string; idempotencyKey?: string }[];
  portalUrl(tenantId: string): string;
  pdfUrl(invoiceId: string): string;
  state(tenantId: string): BillingState;
  /** Changes a demo tenant's state until the next reset(), as a Stripe event landing would. */
  patchState(tenantId: string, patch: Partial<BillingState>): void;
  reset(): void;
  close(): Promise<void>;
}

function demoTenants(now: number, pdfBase: string): Record<string, TenantRecord> {
  const tenant = (id: string, name: string): Tenant => ({
    id,
    name,
    billingEmail: `billing@${id}.example`,
    locale: 'en-US',
    timeZone: 'UTC',
    stripeCustomerId: `cus_${id}`,
    createdAt: iso(now - 90 * DAY_MS),
  });
  const base = (tenantId: string): BillingState => ({
    tenantId,
    plan: 'pro',
    interval: 'month',
    status: 'active',
    renewsAt: iso(now + 20 * DAY_MS),
    cancelAt: null,
    trialEndsAt: null,
    seats: { used: 1, included: 5, purchased: 0 },
    paymentMethod: { brand: 'visa', last4: '4242' },
    dunning: { stage: 'none', since: null, nextRetryAt: null },
    pendingChange: null,
    creditBalance: 0,
    currency: 'usd',
    syncedAt: iso(now - DAY_MS),
  });
  const invoice = (id: string, number: string, total: number, status: string, daysAgo: number): Invoice => ({
    id,
    number,
    status,
    currency: 'usd',
    total,
    amountDue: status === 'paid' ? 0 : total,
    amountPaid: status === 'paid' ? total : 0,
    hostedInvoiceUrl: null,
    invoicePdf: `${pdfBase}/pdf/${id}`,
    periodStart: iso(now - daysAgo * DAY_MS),
    periodEnd: iso(now - daysAgo * DAY_MS + 30 * DAY_MS),
    createdAt: iso(now - daysAgo * DAY_MS),
  });
  const audit = (tenantId: string, action: string, after: unknown, daysAgo: number): AuditEntry => ({
    id: `aud_${tenantId}_${daysAgo}`,
    tenantId,
    actor: { type: 'stripe', id: `evt_${daysAgo}` },
    action,
    before: null,
    after,
    correlationId: null,
    at: iso(now - daysAgo * DAY_MS),
  });
  return {
    acme: {
      tenant: tenant('acme', 'Acme Corp'),
      state: {
        ...base('acme'),
        plan: 'business',
        interval: 'year',
        renewsAt: iso(now + 200 * DAY_MS),
        seats: { used: 20, included: 25, purchased: 0 },
      },
      invoices: [
        invoice('in_acme_2', HOSTILE_INVOICE_NUMBER, 99000, 'paid', 165),
        invoice('in_acme_1', 'ACME-0001', 29000, 'paid', 530),
      ],
      audit: [
        audit('acme', 'subscription.plan_changed', { plan: 'business', interval: 'year' }, 165),
        audit('acme', 'subscription.created', { plan: 'pro', status: 'active' }, 530),
      ],
      members: Array.from({ length: 20 }, (_, i) => ({
        userId: `acme-user-${i + 1}`,
        email: `user${i + 1}@acme.example`,
        addedAt: iso(now - 100 * DAY_MS),
      })),
    },
    startup: {
      tenant: tenant('startup', 'Startup Inc'),
      state: {
        ...base('startup'),
        status: 'trialing',
        trialEndsAt: iso(now + 3 * DAY_MS - 3600 * 1000),
        renewsAt: iso(now + 3 * DAY_MS - 3600 * 1000),
        paymentMethod: null,
      },
      invoices: [invoice('in_startup_1', 'STARTUP-0001', 0, 'paid', 11)],
      audit: [audit('startup', 'subscription.created', { plan: 'pro', status: 'trialing' }, 11)],
      members: [],
    },
    oldco: {
      tenant: tenant('oldco', 'Old Co'),
      state: {
        ...base('oldco'),
        status: 'past_due',
        renewsAt: iso(now + 28 * DAY_MS),
        paymentMethod: { brand: 'mastercard', last4: '0341' },
        dunning: { stage: 'payment_failed', since: iso(now - 2 * DAY_MS), nextRetryAt: iso(now + DAY_MS) },
      },
      invoices: [invoice('in_oldco_1', 'OLDCO-0002', 2900, 'open', 2)],
      audit: [audit('oldco', 'invoice.payment_failed', { status: 'past_due' }, 2)],
      members: [],
    },
  };
}

export async function startFakeBilling(
  bus: NatsBus,
  options: { confirmDelayMs: number },
): Promise<FakeBilling> {
  // The Stripe-hosted pages the page links to: the customer portal and invoice PDFs.
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/pdf/')) {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end('%PDF-1.4 fake\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Stripe customer portal</title><h1>Stripe customer portal (test)</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let tenants = demoTenants(Date.now(), base);
  const timers = new Set<NodeJS.Timeout>();
  const calls: FakeBilling['calls'] = [];
  const find = (tenantId: string): TenantRecord => {
    const record = tenants[tenantId];
    if (!record) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
    return record;
  };
  /** What a webhook does later: apply the change, bump syncedAt, write the audit entry. */
  const later = (record: TenantRecord, action: string, change: (s: BillingState) => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const before = { ...record.state };
      change(record.state);
      record.state.syncedAt = new Date().toISOString();
      record.audit.unshift({
        id: `aud_${record.tenant.id}_${record.audit.length + 1}`,
        tenantId: record.tenant.id,
        actor: { type: 'stripe', id: `evt_${record.audit.length + 1}` },
        action,
        before: { plan: before.plan, interval: before.interval, status: before.status },
        after: { plan: record.state.plan, interval: record.state.interval, status: record.state.status },
        correlationId: null,
        at: record.state.syncedAt,
      });
    }, options.confirmDelayMs);
    timers.add(timer);
  };
  const preview = (req: PlanSelection): ChangePreview => {
    const { state } = find(req.tenantId);
    const upgrade = RANK[req.plan] > RANK[state.plan] || (req.plan === state.plan && req.interval === 'year');
    return upgrade
      ? {
          kind: req.plan === state.plan ? 'interval_change' : 'upgrade',
          amountDueNow: 4567,
          currency: 'usd',
          nextInvoiceTotal: 9900,
          effectiveAt: new Date().toISOString(),
          lines: [
            {
              description: `Unused time on ${state.plan} after today`,
              amount: -1933,
              proration: true,
              period: { start: new Date().toISOString(), end: state.renewsAt! },
            },
            {
              description: `Remaining time on ${req.plan} after today`,
              amount: 6500,
              proration: true,
              period: { start: new Date().toISOString(), end: state.renewsAt! },
            },
          ],
        }
      : {
          kind: 'downgrade',
          amountDueNow: 0,
          currency: 'usd',
          nextInvoiceTotal: 2900,
          effectiveAt: state.renewsAt!,
          lines: [],
        };
  };

  const queue = { queue: 'billing' };
  bus.serve(BillingSubject.GetTenant, TenantScoped, async ({ tenantId }) => find(tenantId).tenant, queue);
  bus.serve(
    BillingSubject.GetState,
    TenantScoped,
    async ({ tenantId }) => ({ ...find(tenantId).state }),
    queue,
  );
  bus.serve(BillingSubject.PreviewChange, PlanSelection, async (req) => preview(req), queue);
  bus.serve(
    BillingSubject.ApplyChange,
    IdempotentPlanSelection,
    async (req) => {
      calls.push({ subject: 'change', tenantId: req.tenantId, idempotencyKey: req.idempotencyKey });
      const record = find(req.tenantId);
      const kind = preview(req).kind;
      later(record, 'subscription.plan_changed', (s) => {
        if (kind === 'downgrade')
          s.pendingChange = { plan: req.plan, interval: req.interval, effectiveAt: s.renewsAt! };
        else {
          s.plan = req.plan;
          s.interval = req.interval;
          s.seats = { ...s.seats, included: req.plan === 'business' ? 25 : 5 };
        }
      });
      return { ...record.state };
    },
    queue,
  );
  bus.serve(
    BillingSubject.Cancel,
    CancelRequest,
    async (req) => {
      calls.push({ subject: 'cancel', tenantId: req.tenantId, idempotencyKey: req.idempotencyKey });
      const record = find(req.tenantId);
      later(record, 'subscription.canceled', (s) => {
        if (req.at === 'now') {
          s.status = 'canceled';
          s.plan = 'free';
          s.interval = null;
          s.renewsAt = null;
        } else {
          s.status = 'canceled_pending';
          s.cancelAt = s.renewsAt;
        }
      });
      return { ...record.state };
    },
    queue,
  );
  bus.serve(
    BillingSubject.Resume,
    TenantCommand,
    async (req) => {
      calls.push({ subject: 'resume', tenantId: req.tenantId });
      const record = find(req.tenantId);
      later(record, 'subscription.resumed', (s) => {
        s.status = 'active';
        s.cancelAt = null;
      });
      return { ...record.state };
    },
    queue,
  );
  bus.serve(
    BillingSubject.CreatePortal,
    TenantCommand,
    async (req) => {
      calls.push({ subject: 'portal', tenantId: req.tenantId });
      return { url: `${base}/portal/${find(req.tenantId).tenant.id}` };
    },
    queue,
  );
  bus.serve(
    BillingSubject.ListInvoices,
    PageRequest,
    async (req) => ({ data: find(req.tenantId).invoices, nextCursor: null }),
    queue,
  );
  bus.serve(
    BillingSubject.GetInvoice,
    InvoiceRequest,
    async (req) => {
      const invoice = find(req.tenantId).invoices.find((i) => i.id === req.invoiceId);
      if (!invoice) throw new DomainError(ErrorCode.NotFound, 'invoice not found');
      return invoice;
    },
    queue,
  );
  bus.serve(
    BillingSubject.ListAudit,
    PageRequest,
    async (req) => ({ data: find(req.tenantId).audit, nextCursor: null }),
    queue,
  );
  bus.serve(
    BillingSubject.ListMembers,
    TenantScoped,
    async (req) => {
      const record = find(req.tenantId);
      return { data: record.members, seats: record.state.seats };
    },
    queue,
  );

  return {
    calls,
    portalUrl: (tenantId) => `${base}/portal/${tenantId}`,
    pdfUrl: (invoiceId) => `${base}/pdf/${invoiceId}`,
    state: (tenantId) => ({ ...find(tenantId).state }),
    patchState: (tenantId, patch) => {
      const record = find(tenantId);
      record.state = { ...record.state, ...patch };
    },
    reset: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      calls.length = 0;
      tenants = demoTenants(Date.now(), base);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
