/**
 * What an owner or admin does to a live subscription: change plan (and its preview), cancel, resume, and the
 * seats members use. Each command is setup → compute (pure: plan-change.policy.ts) → execute, under the
 * customer's advisory lock and then the tenant's row lock (the order the event projection also takes), so a
 * double click, two tabs, or a Stripe event racing the command apply one after the other:
 * - setup reads the subscription from Stripe itself, so a command that lost the race computes "nothing to
 *   change" and answers the state instead of changing twice;
 * - every Stripe call carries an Idempotency-Key derived from the request's key (or from what it does), so
 *   a retry after a crash lands on the same Stripe effect, and the same key with another request is refused;
 * - what Stripe answers is written at once (the state is right before the webhook arrives), and the
 *   webhook, when it comes, finds nothing new;
 * - each command leaves an audit entry (who, what, before, after).
 */
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  DomainError,
  ErrorCode,
  type AddMemberRequest,
  type BillingState,
  type CancelRequest,
  type ChangePreview,
  type IdempotentPlanSelection,
  type Member,
  type PlanSelection,
  type RemoveMemberRequest,
  type TenantCommand,
} from '@tollgate/contracts';
import type { StripeGateway } from '../adapters/stripe.gateway';
import {
  MemberEntity,
  PlanChangeIntentEntity,
  type SubscriptionEntity,
  type TenantEntity,
} from '../entities';
import { AuditRepository } from '../repositories/audit.repository';
import { MemberRepository, memberView } from '../repositories/member.repository';
import { PlanChangeIntentRepository } from '../repositories/plan-change-intent.repository';
import { SubscriptionRepository } from '../repositories/subscription.repository';
import { TenantRepository } from '../repositories/tenant.repository';
import type { BillingStateService } from './billing-state.service';
import type { CatalogPrices } from './catalog-sync.service';
import {
  billsTarget,
  currentItemsOf,
  planChange,
  planRank,
  seatChangeForMembers,
  type PlannedChange,
} from './plan-change.policy';
import { holdOf, inForce, type Hold } from './held-plan.policy';
import { StripeEventProjector } from './stripe-event.projector';
import { changePreviewOf } from './stripe-preview.transform';

const keyHash = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 32);
const unix = (d: Date): number => Math.floor(d.getTime() / 1000);

export class SubscriptionCommandsService {
  private readonly tenants = new TenantRepository();
  private readonly subscriptions = new SubscriptionRepository();
  private readonly members = new MemberRepository();
  private readonly audit = new AuditRepository();
  private readonly intents = new PlanChangeIntentRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly stripe: StripeGateway,
    private readonly prices: CatalogPrices,
    private readonly projector: StripeEventProjector,
    private readonly state: BillingStateService,
    private readonly onCommit: () => void,
  ) {}

  // ---- plan changes --------------------------------------------------------------------------------------

  /** Stripe's own numbers for the change, computed by the same compute step the change runs. */
  async preview(request: PlanSelection): Promise<ChangePreview> {
    const em = this.ds.manager;
    const tenant = await this.tenantOrNotFound(em, request.tenantId);
    const row = await this.liveOrRefuse(em, tenant.id);
    const subscription = await this.stripe.retrieveSubscription(row.stripeSubscriptionId);
    const current = currentItemsOf(subscription, this.prices.resolve);
    const planned = planChange(
      this.prices.catalog,
      this.prices,
      current,
      request,
      (await this.members.list(em, tenant.id)).map(memberView),
    );
    if (!planned)
      throw new DomainError(ErrorCode.ValidationFailed, 'this is the plan the subscription already has', {
        fields: { plan: ['unchanged'] },
      });
    const now = await this.stripeNow(tenant);
    const base = {
      customerId: tenant.stripeCustomerId!,
      subscriptionId: subscription.id,
      items: planned.items,
      prorationDate: unix(now),
    };
    const immediate = planned.invoicesNow
      ? await this.stripe.previewChange({ ...base, prorationBehavior: 'always_invoice' })
      : null;
    const upcoming = await this.stripe.previewChange({
      ...base,
      prorationBehavior: planned.invoicesNow ? 'none' : planned.prorationBehavior,
    });
    return changePreviewOf({
      kind: planned.kind,
      effectiveAt: planned.timing === 'period_end' ? current.currentPeriodEnd : now,
      immediate,
      upcoming,
    });
  }

  /**
   * Setup → compute → execute, with the change recorded before Stripe is called: the intent (what Stripe is
   * asked to bill, the plan held in force afterwards, the caller's key) commits on its own, then Stripe is called
   * with the key derived from the caller's, then the change is written and the intent deleted in one commit. A
   * crash in between leaves the intent: the retry (or the webhook) finds Stripe billing it and finishes it the
   * same way; an intent Stripe does not bill is abandoned, so no hold stays on a plan that never changed.
   */
  async change(request: IdempotentPlanSelection): Promise<BillingState> {
    const key = keyHash(request.idempotencyKey);
    await this.locked(request.tenantId, async (em, tenant) => {
      // Setup, after settling a change a crash interrupted.
      let row = await this.liveOrRefuse(em, tenant.id);
      let subscription = await this.stripe.retrieveSubscription(row.stripeSubscriptionId);
      const current = currentItemsOf(subscription, this.prices.resolve);
      const pending = await this.intents.find(em, row.stripeSubscriptionId);
      if (pending && billsTarget(current, pending)) {
        await this.projector.finishChange(em, tenant, pending, subscription, {
          at: pending.at,
          cause: `change:${pending.keyHash}`,
        });
        if (pending.keyHash === key) return; // this very request, finished after a crash
        row = await this.liveOrRefuse(em, tenant.id);
      } else if (pending)
        // Stripe never applied it (refused, or never reached): abandoned at once, whatever this command does.
        await this.intents.delete(this.ds.manager, pending.stripeSubscriptionId, pending.keyHash);
      const members = (await this.members.list(em, tenant.id)).map(memberView);
      // Compute.
      const planned = planChange(this.prices.catalog, this.prices, current, request, members);
      if (!planned) return; // Stripe already bills this: a repeat, or a request that lost the race.
      const now = await this.stripeNow(tenant);
      const hold = this.holdAfter(planned, row, holdOf(row), current.currentPeriodEnd);
      // Execute: record, call Stripe, confirm.
      const intent = Object.assign(new PlanChangeIntentEntity(), {
        stripeSubscriptionId: subscription.id,
        tenantId: tenant.id,
        idempotencyKey: request.idempotencyKey,
        keyHash: key,
        kind: planned.kind,
        plan: planned.plan,
        interval: planned.interval,
        purchasedSeats: planned.purchasedSeats,
        seats: planned.seats,
        invoicesNow: planned.invoicesNow,
        heldPlan: hold?.plan ?? null,
        heldInterval: hold?.interval ?? null,
        heldPurchasedSeats: hold?.purchasedSeats ?? null,
        heldUntil: hold?.until ?? null,
        at: now,
        before: { ...inForce(row), state: row.state },
        actor: request.actor,
        createdAt: new Date(),
      });
      await this.intents.record(this.ds.manager, intent); // its own commit, before Stripe hears of it
      try {
        subscription = await this.stripe.updateSubscription(
          subscription.id,
          { items: planned.items, prorationBehavior: planned.prorationBehavior, prorationDate: unix(now) },
          `tenant:${tenant.id}:change:${key}`,
        );
      } catch (error) {
        // Refused by Stripe (a declined card, a conflicting key): nothing changed there, so nothing to hold.
        // Unreachable: the outcome is unknown; the intent stays for the retry or the webhook to settle.
        if (!(error instanceof DomainError && error.code === ErrorCode.UpstreamUnavailable))
          await this.intents.delete(this.ds.manager, intent.stripeSubscriptionId, key);
        throw error;
      }
      await this.projector.finishChange(em, tenant, intent, subscription, {
        at: now,
        cause: `change:${key}`,
      });
    });
    return this.state.state({ tenantId: request.tenantId });
  }

  /**
   * The plan kept in force after a change: a downgrade holds the plan paid for until the period end; a
   * change while a downgrade is pending keeps that hold unless it goes back up to (or above) the held plan.
   */
  private holdAfter(
    planned: PlannedChange,
    row: SubscriptionEntity,
    held: Hold | null,
    periodEnd: Date,
  ): Hold | null {
    const catalog = this.prices.catalog;
    if (held && planRank(catalog, planned.plan) < planRank(catalog, held.plan)) return held;
    if (planned.timing !== 'period_end') return null;
    return held ?? { ...inForce(row), until: periodEnd };
  }

  // ---- cancel and resume ---------------------------------------------------------------------------------

  /** At period end: access continues until then. Now: Free at once, no refund (seed 004). */
  async cancel(request: CancelRequest): Promise<BillingState> {
    await this.locked(request.tenantId, async (em, tenant) => {
      const row = await this.liveOrRefuse(em, tenant.id);
      const subscription = await this.stripe.retrieveSubscription(row.stripeSubscriptionId);
      if (request.at === 'period_end' && subscription.cancel_at_period_end) return;
      const now = await this.stripeNow(tenant);
      // Without the caller's key, the row's last write names this cancellation: a cancellation after a resume
      // is a new Stripe request (the same key would replay the first answer and change nothing at Stripe).
      const key = `tenant:${tenant.id}:cancel:${request.at}:${keyHash(request.idempotencyKey ?? `${subscription.id}:${request.at}:${row.updatedAt.getTime()}`)}`;
      const updated =
        request.at === 'now'
          ? await this.stripe.cancelSubscription(subscription.id, key)
          : await this.stripe.updateSubscription(subscription.id, { cancelAtPeriodEnd: true }, key);
      const written = await this.projector.applyCommandResult(em, tenant, updated, {
        at: now,
        actor: request.actor,
        cause: `cancel:${subscription.id}:${request.at}:${keyHash(key)}`,
      });
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: request.actor,
        action: 'subscription.cancel_requested',
        before: { state: row.state, plan: inForce(row).plan },
        after: {
          at: request.at,
          state: written.state,
          accessUntil:
            request.at === 'now'
              ? now.toISOString()
              : (written.cancelAt ?? written.currentPeriodEnd)?.toISOString(),
        },
      });
    });
    return this.state.state({ tenantId: request.tenantId });
  }

  /** Undoes a pending period-end cancellation; answers the state as it is when nothing is pending. */
  async resume(request: TenantCommand): Promise<BillingState> {
    await this.locked(request.tenantId, async (em, tenant) => {
      const row = await this.liveOrRefuse(em, tenant.id);
      const subscription = await this.stripe.retrieveSubscription(row.stripeSubscriptionId);
      if (!subscription.cancel_at_period_end && subscription.cancel_at === null) return;
      const now = await this.stripeNow(tenant);
      // One key per cancellation resumed (the row's last write names it): cancel → resume → cancel → resume
      // for the same period end is two resumes at Stripe, not a replay of the first.
      const key = `tenant:${tenant.id}:resume:${subscription.id}:${subscription.cancel_at ?? 'none'}:${row.updatedAt.getTime()}`;
      const updated = await this.stripe.updateSubscription(
        subscription.id,
        { cancelAtPeriodEnd: false },
        key,
      );
      const written = await this.projector.applyCommandResult(em, tenant, updated, {
        at: now,
        actor: request.actor,
        cause: `resume:${subscription.id}:${subscription.cancel_at ?? 'none'}:${row.updatedAt.getTime()}`,
      });
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: request.actor,
        action: 'subscription.resumed',
        before: { state: row.state, cancelAt: row.cancelAt?.toISOString() ?? null },
        after: { state: written.state, renewsAt: written.currentPeriodEnd?.toISOString() ?? null },
      });
    });
    return this.state.state({ tenantId: request.tenantId });
  }

  // ---- seats ---------------------------------------------------------------------------------------------

  /**
   * Adds a member (idempotent for a member already there). Beyond the seats the subscription bills, one more
   * seat is bought (prorated and charged now; refused if the charge fails). Without a subscription, the
   * Free plan's seats are the limit.
   */
  async addMember(request: AddMemberRequest): Promise<Member> {
    return this.locked(request.tenantId, async (em, tenant) => {
      const existing = await this.members.find(em, tenant.id, request.userId);
      if (existing) return memberView(existing);
      const used = await this.members.count(em, tenant.id);
      const seats = await this.resizeSeats(
        em,
        tenant,
        used,
        used + 1,
        request.actor,
        `add:${request.userId}`,
      );
      const row = Object.assign(new MemberEntity(), {
        tenantId: tenant.id,
        userId: request.userId,
        email: request.email,
        addedAt: new Date(),
      });
      await this.members.insert(em, row);
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: request.actor,
        action: 'member.added',
        before: { seatsUsed: used, purchasedSeats: seats.before },
        after: { userId: row.userId, seatsUsed: used + 1, purchasedSeats: seats.after },
      });
      return memberView(row);
    });
  }

  /** Removes a member; a purchased seat they sat on is given back, credited on the next invoice. */
  async removeMember(request: RemoveMemberRequest): Promise<{ removed: true }> {
    return this.locked(request.tenantId, async (em, tenant) => {
      const used = await this.members.count(em, tenant.id);
      if (!(await this.members.delete(em, tenant.id, request.userId)))
        throw new DomainError(ErrorCode.NotFound, 'member not found');
      const seats = await this.resizeSeats(
        em,
        tenant,
        used,
        used - 1,
        request.actor,
        `remove:${request.userId}`,
      );
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: request.actor,
        action: 'member.removed',
        before: { userId: request.userId, seatsUsed: used, purchasedSeats: seats.before },
        after: { seatsUsed: used - 1, purchasedSeats: seats.after },
      });
      return { removed: true as const };
    });
  }

  private async resizeSeats(
    em: EntityManager,
    tenant: TenantEntity,
    usedBefore: number,
    usedAfter: number,
    actor: AddMemberRequest['actor'],
    what: string,
  ): Promise<{ before: number; after: number }> {
    const row = await this.subscriptions.findLive(em, tenant.id);
    if (!row) {
      const free = this.prices.catalog.plans.free.includedSeats;
      if (usedAfter > usedBefore && usedAfter > free)
        throw new DomainError(ErrorCode.LimitExceeded, `all ${free} seats are in use`, {
          seats: { used: usedBefore, included: free, purchased: 0 },
        });
      return { before: 0, after: 0 };
    }
    const subscription = await this.stripe.retrieveSubscription(row.stripeSubscriptionId);
    const current = currentItemsOf(subscription, this.prices.resolve);
    const change = seatChangeForMembers(this.prices.catalog, this.prices, current, usedBefore, usedAfter);
    if (!change) return { before: current.purchasedSeats, after: current.purchasedSeats };
    const now = await this.stripeNow(tenant);
    const updated = await this.stripe.updateSubscription(
      subscription.id,
      { items: change.items, prorationBehavior: change.prorationBehavior, prorationDate: unix(now) },
      `tenant:${tenant.id}:seats:${subscription.id}:${what}:${current.purchasedSeats}->${change.purchasedSeats}`,
    );
    await this.projector.applyCommandResult(em, tenant, updated, {
      at: now,
      actor,
      cause: `seats:${subscription.id}:${what}`,
    });
    return { before: current.purchasedSeats, after: change.purchasedSeats };
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  /** Customer lock, then tenant row lock (the projection's order), one transaction; the relay is woken after. */
  private async locked<T>(
    tenantId: string,
    fn: (em: EntityManager, tenant: TenantEntity) => Promise<T>,
  ): Promise<T> {
    const found = await this.tenantOrNotFound(this.ds.manager, tenantId);
    const result = await this.ds.transaction(async (em) => {
      if (found.stripeCustomerId) await StripeEventProjector.lockCustomer(em, found.stripeCustomerId);
      const tenant = await this.tenants.findForUpdate(em, tenantId);
      if (!tenant) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
      return fn(em, tenant);
    });
    this.onCommit();
    return result;
  }

  private async tenantOrNotFound(em: EntityManager, tenantId: string): Promise<TenantEntity> {
    const tenant = await this.tenants.find(em, tenantId);
    if (!tenant) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
    return tenant;
  }

  private async liveOrRefuse(em: EntityManager, tenantId: string): Promise<SubscriptionEntity> {
    const row = await this.subscriptions.findLive(em, tenantId);
    if (!row)
      throw new DomainError(ErrorCode.NoSubscription, 'the tenant has no subscription; check out first', {
        tenantId,
      });
    return row;
  }

  /** Stripe's now for this customer: its test clock's frozen time, else the wall clock (whole seconds). */
  private async stripeNow(tenant: TenantEntity): Promise<Date> {
    const now = tenant.testClock ? await this.stripe.testClockTime(tenant.testClock) : new Date();
    return new Date(unix(now) * 1000);
  }
}
