/**
 * Read side of billing: the tenant's billing state (CONTRACT `GET /v1/billing`), invoices, the audit log,
 * and members (each member uses a seat; adding and removing them is subscription-commands.service.ts). Every
 * query is scoped to the tenant: another tenant's invoice is simply not found.
 */
import type { DataSource } from 'typeorm';
import {
  DomainError,
  ErrorCode,
  type AuditEntry,
  type BillingState,
  type Invoice,
  type InvoiceRequest,
  type Member,
  type Page,
  type PageRequest,
  type TenantScoped,
} from '@tollgate/contracts';
import type { Catalog } from '@tollgate/catalog';
import type { EntityManager } from 'typeorm';
import type { SubscriptionEntity, TenantEntity } from '../entities';
import { AuditRepository } from '../repositories/audit.repository';
import { InvoiceRepository } from '../repositories/invoice.repository';
import { MemberRepository, memberView } from '../repositories/member.repository';
import { SubscriptionRepository } from '../repositories/subscription.repository';
import { TenantRepository } from '../repositories/tenant.repository';
import { holdOf, inForce } from './held-plan.policy';
import { invoiceView } from './stripe-invoice.transform';
import { isLive } from './subscription-state.machine';

/** Compute (pure): the contract's BillingState from the stored rows. */
export function billingStateOf(
  catalog: Catalog,
  tenant: TenantEntity,
  subscription: SubscriptionEntity | null,
  membersUsed: number,
): BillingState {
  const live = subscription !== null && isLive(subscription.state);
  const force = live ? inForce(subscription) : null;
  const plan = force?.plan ?? 'free';
  const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
  const pendingCancel = live && subscription.state === 'canceled_pending';
  const hold = live ? holdOf(subscription) : null;
  return {
    tenantId: tenant.id,
    plan,
    interval: force?.interval ?? null,
    status: subscription?.state ?? 'none',
    renewsAt:
      live && !pendingCancel && subscription.state !== 'suspended'
        ? iso(subscription.currentPeriodEnd)
        : null,
    cancelAt: pendingCancel ? iso(subscription.cancelAt ?? subscription.currentPeriodEnd) : null,
    // Stripe's word, not our clock's: a trial is on while Stripe says trialing (test clocks included).
    trialEndsAt: live && subscription.stripeStatus === 'trialing' ? iso(subscription.trialEnd) : null,
    seats: {
      used: membersUsed,
      included: catalog.plans[plan].includedSeats,
      purchased: force?.purchasedSeats ?? 0,
    },
    paymentMethod:
      tenant.paymentMethodBrand && tenant.paymentMethodLast4
        ? { brand: tenant.paymentMethodBrand, last4: tenant.paymentMethodLast4 }
        : null,
    dunning: {
      stage: live ? (subscription.dunningStage as BillingState['dunning']['stage']) : 'none',
      since: live ? iso(subscription.dunningSince) : null,
      nextRetryAt: live ? iso(subscription.nextRetryAt) : null,
    },
    pendingChange:
      hold && subscription
        ? {
            plan: subscription.plan,
            interval: subscription.interval,
            seats: catalog.plans[subscription.plan].includedSeats + subscription.purchasedSeats,
            effectiveAt: hold.until.toISOString(),
          }
        : null,
    creditBalance: tenant.creditBalance,
    currency: catalog.currency,
    // When billing last wrote Stripe's answer (wall clock): Stripe's event time stands still on a test clock,
    // and the billing page waits for syncedAt to move after a command.
    syncedAt: iso(subscription?.updatedAt),
  };
}

export class BillingStateService {
  private readonly tenants = new TenantRepository();
  private readonly subscriptions = new SubscriptionRepository();
  private readonly invoices = new InvoiceRepository();
  private readonly members = new MemberRepository();
  private readonly audit = new AuditRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly catalog: Catalog,
  ) {}

  async state(request: TenantScoped): Promise<BillingState> {
    const em = this.ds.manager;
    const tenant = await this.tenant(em, request.tenantId);
    const [subscription, used] = await Promise.all([
      this.subscriptions.current(em, tenant.id),
      this.members.count(em, tenant.id),
    ]);
    return billingStateOf(this.catalog, tenant, subscription, used);
  }

  async listInvoices(request: PageRequest): Promise<Page<Invoice>> {
    const tenant = await this.tenant(this.ds.manager, request.tenantId);
    const page = await this.invoices.list(this.ds.manager, tenant.id, request.cursor, request.limit ?? 20);
    return { data: page.data.map(invoiceView), nextCursor: page.nextCursor };
  }

  async getInvoice(request: InvoiceRequest): Promise<Invoice> {
    const row = await this.invoices.find(this.ds.manager, request.tenantId, request.invoiceId);
    if (!row) throw new DomainError(ErrorCode.NotFound, 'invoice not found');
    return invoiceView(row);
  }

  async listAudit(request: PageRequest): Promise<Page<AuditEntry>> {
    const tenant = await this.tenant(this.ds.manager, request.tenantId);
    return this.audit.list(this.ds.manager, tenant.id, request.cursor, request.limit ?? 50);
  }

  async listMembers(request: TenantScoped): Promise<{ data: Member[]; seats: BillingState['seats'] }> {
    const state = await this.state(request);
    const rows = await this.members.list(this.ds.manager, request.tenantId);
    return { data: rows.map(memberView), seats: state.seats };
  }

  private async tenant(em: EntityManager, id: string): Promise<TenantEntity> {
    const tenant = await this.tenants.find(em, id);
    if (!tenant) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
    return tenant;
  }
}
