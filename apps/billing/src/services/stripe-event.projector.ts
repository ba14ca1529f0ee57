/**
 * Projection of Stripe events into billing's tables. One transaction per event:
 * 1. pg_advisory_xact_lock on the customer: a customer's events apply one at a time, across replicas;
 * 2. the event id is claimed in processed_events (a duplicate commits nothing and is acked), in the same
 *    statement as the lock (ProcessedEventRepository.claim);
 * 3. the effect: Stripe-mirrored rows refuse an event older than the newest one applied (`last_event_at`);
 *    for two events of the same second the payload cannot tell which is newer, so the current object is
 *    fetched from Stripe and applied instead;
 * 4. audit entries and outbox rows (domain events, notification requests) in the same transaction.
 * Anything unexpected throws: the consumer naks, retries with backoff, and dead-letters after maxDeliver.
 * Commands (plan changes, cancel, seats) write the subscription Stripe answered through the same code
 * (`applyCommandResult`), and the scheduler moves time-driven state (`runDue`: the dunning ladder, a held plan
 * reaching its end) under the same per-customer lock, so the three never interleave for one customer.
 */
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { BillingEvent, type Actor, type SubscriptionState } from '@tollgate/contracts';
import type { StripeGateway } from '../adapters/stripe.gateway';
import {
  InvoiceEntity,
  SubscriptionEntity,
  type PlanChangeIntentEntity,
  type TenantEntity,
} from '../entities';
import { AuditRepository } from '../repositories/audit.repository';
import { CheckoutSessionRepository } from '../repositories/checkout-session.repository';
import { InvoiceRepository } from '../repositories/invoice.repository';
import { OutboxRepository } from '../repositories/outbox.repository';
import { PlanChangeIntentRepository } from '../repositories/plan-change-intent.repository';
import { ProcessedEventRepository } from '../repositories/processed-event.repository';
import { SubscriptionRepository } from '../repositories/subscription.repository';
import { TenantRepository } from '../repositories/tenant.repository';
import type { CatalogPrices } from './catalog-sync.service';
import { invoiceSnapshot, invoiceView } from './stripe-invoice.transform';
import { idOf, subscriptionSnapshot, type SubscriptionSnapshot } from './stripe-subscription.transform';
import {
  graceEndsAt,
  nextStage,
  predatesStage,
  stageCause,
  STAGE_EMAIL,
  stillOwing,
  awaitsRetry,
  upcomingRetry,
  type DunningLadder,
  type LadderStage,
} from './dunning-ladder.policy';
import { notificationsFor, type NotificationIntent } from './subscription-notifications.policy';
import { holdOf, inForce, setHold, type Hold } from './held-plan.policy';
import { isLive, transition } from './subscription-state.machine';
import { billsTarget } from './plan-change.policy';

export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.expired',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.finalized',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'customer.updated',
  'payment_method.attached',
  'payment_method.detached',
] as const;
type HandledEvent = Extract<Stripe.Event, { type: (typeof HANDLED_EVENT_TYPES)[number] }>;

const isHandled = (event: Stripe.Event): event is HandledEvent =>
  (HANDLED_EVENT_TYPES as readonly string[]).includes(event.type);

/** Events about a customer we may not have recorded yet (customer objects exist before our tenant row). */
const TOLERATE_UNKNOWN_CUSTOMER = new Set([
  'customer.updated',
  'payment_method.attached',
  'payment_method.detached',
  'checkout.session.expired',
]);

interface Ctx {
  em: EntityManager;
  tenant: TenantEntity;
  /** Stripe's time of what is applied: the event's `created`, or Stripe's now for a command or the scheduler. */
  at: Date;
  actor: Actor;
  /** What caused the change: a Stripe event id, or a command's / the scheduler's own id. */
  cause: string;
}

/** What the invoice in trouble says, for the dunning emails (amounts from Stripe). */
interface InvoiceFacts {
  invoiceId: string;
  invoiceNumber: string | null;
  amount: number;
  currency: string;
  hostedInvoiceUrl: string | null;
}

const invoiceFacts = (invoice: Stripe.Invoice): InvoiceFacts => ({
  invoiceId: invoice.id,
  invoiceNumber: invoice.number ?? null,
  amount: invoice.amount_due,
  currency: invoice.currency,
  hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
});

export type ProjectionOutcome =
  'applied' | 'duplicate' | 'stale' | 'ignored' | 'unknown_customer' | 'refused';

type CustomerRef = string | { id: string } | null;

/** The customer an event is about; a detached payment method names it only in `previous_attributes`. */
export function customerOfEvent(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; id?: string; customer?: CustomerRef };
  if (object.object === 'customer') return object.id ?? null;
  const previous = event.data.previous_attributes as { customer?: CustomerRef } | undefined;
  return idOf(object.customer ?? previous?.customer ?? null);
}

/** The advisory lock key (hashed with hashtextextended) that serializes one customer's billing writes. */
export const customerLockKey = (customerId: string): string => `billing:customer:${customerId}`;

export class StripeEventProjector {
  private readonly processed = new ProcessedEventRepository();
  private readonly tenants = new TenantRepository();
  private readonly subscriptions = new SubscriptionRepository();
  private readonly invoices = new InvoiceRepository();
  private readonly sessions = new CheckoutSessionRepository();
  private readonly audit = new AuditRepository();
  private readonly outbox = new OutboxRepository();
  private readonly intents = new PlanChangeIntentRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly stripe: StripeGateway,
    private readonly prices: CatalogPrices,
    private readonly logger: Logger,
    private readonly onCommit: () => void,
    private readonly ladder: DunningLadder,
  ) {}

  async project(event: Stripe.Event): Promise<ProjectionOutcome> {
    const customerId = customerOfEvent(event);
    const outcome = await this.ds.transaction(async (em): Promise<ProjectionOutcome> => {
      const lockKey = customerId ? customerLockKey(customerId) : null;
      if (!(await this.processed.claim(em, event.id, event.type, lockKey))) return 'duplicate';
      let result: ProjectionOutcome;
      const tenant = customerId ? await this.tenants.findByCustomer(em, customerId) : null;
      if (!isHandled(event)) result = 'ignored';
      else if (!tenant) {
        if (!TOLERATE_UNKNOWN_CUSTOMER.has(event.type))
          throw new Error(`no tenant for Stripe customer ${customerId ?? '(none)'} of event ${event.id}`);
        result = 'unknown_customer';
      } else {
        const ctx: Ctx = {
          em,
          tenant,
          at: new Date(event.created * 1000),
          actor: { type: 'stripe', id: event.id },
          cause: event.id,
        };
        result = await this.dispatch(ctx, event);
      }
      await this.processed.setOutcome(em, event.id, result);
      return result;
    });
    if (outcome !== 'duplicate') this.onCommit();
    return outcome;
  }

  private async dispatch(ctx: Ctx, event: HandledEvent): Promise<ProjectionOutcome> {
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object;
        await this.sessions.setStatus(ctx.em, session.id, 'complete');
        const subscriptionId = idOf(session.subscription);
        // The subscription may be announced after this event: fetch it so the tenant's state is right now.
        if (subscriptionId)
          await this.applySubscription(ctx, await this.stripe.retrieveSubscription(subscriptionId), true);
        return 'applied';
      }
      case 'checkout.session.expired':
        await this.sessions.setStatus(ctx.em, event.data.object.id, 'expired');
        return 'applied';
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
      case 'customer.subscription.paused':
      case 'customer.subscription.resumed':
        return this.applySubscription(ctx, event.data.object, false);
      case 'customer.subscription.trial_will_end': {
        const outcome = await this.applySubscription(ctx, event.data.object, false);
        const sub = event.data.object;
        // The template names the plan (notifications refuses a trial_ending without it).
        const { plan, interval } = subscriptionSnapshot(sub, this.prices.resolve);
        if (sub.trial_end)
          await this.notify(ctx, {
            kind: 'trial_ending',
            cause: `sub:${sub.id}:trial_ending:${sub.trial_end}`,
            data: {
              plan,
              interval,
              trialEndsAt: new Date(sub.trial_end * 1000).toISOString(),
              hasPaymentMethod: sub.default_payment_method !== null || ctx.tenant.paymentMethodId !== null,
            },
          });
        return outcome === 'stale' ? 'applied' : outcome;
      }
      case 'invoice.paid':
      case 'invoice.payment_failed':
      case 'invoice.payment_action_required':
      case 'invoice.finalized':
      case 'invoice.voided':
      case 'invoice.marked_uncollectible':
        return this.applyInvoice(ctx, event, event.data.object);
      case 'customer.updated':
        return this.applyCustomer(ctx, event.data.object, event.data.previous_attributes);
      case 'payment_method.attached': {
        const pm = event.data.object;
        if (!pm.card || ctx.tenant.paymentMethodId !== null) return 'ignored';
        await this.setPaymentMethod(ctx, { id: pm.id, brand: pm.card.brand, last4: pm.card.last4 });
        return 'applied';
      }
      case 'payment_method.detached':
        return this.clearPaymentMethod(ctx, event.data.object.id);
    }
  }

  // ---- subscriptions -------------------------------------------------------------------------------------

  private async applySubscription(
    ctx: Ctx,
    payload: Stripe.Subscription,
    authoritative: boolean,
  ): Promise<ProjectionOutcome> {
    const { em } = ctx;
    let snapshot = subscriptionSnapshot(payload, this.prices.resolve);
    const row = await this.subscriptions.find(em, snapshot.stripeSubscriptionId);
    if (row && !authoritative) {
      if (ctx.at < row.lastEventAt) return 'stale';
      if (ctx.at.getTime() === row.lastEventAt.getTime() && row.lastEventId !== ctx.cause)
        snapshot = subscriptionSnapshot(
          await this.stripe.retrieveSubscription(snapshot.stripeSubscriptionId),
          this.prices.resolve,
        );
    } else if (!row && !authoritative && isLive(snapshot.state)) {
      // First sight of this subscription while another is live here: the payload may predate its own
      // cancellation (delivered later), and nothing stored can order it, so take Stripe's current object
      // rather than fail the event until that cancellation arrives.
      const live = await this.subscriptions.findLive(em, ctx.tenant.id);
      if (live && live.stripeSubscriptionId !== snapshot.stripeSubscriptionId)
        snapshot = subscriptionSnapshot(
          await this.stripe.retrieveSubscription(snapshot.stripeSubscriptionId),
          this.prices.resolve,
        );
    }
    // The event of a plan change whose command never committed (a crash after Stripe's answer): finish it.
    const intent = await this.intents.find(em, snapshot.stripeSubscriptionId);
    if (intent && billsTarget(snapshot, intent)) {
      await this.finishChange(
        em,
        ctx.tenant,
        intent,
        await this.stripe.retrieveSubscription(snapshot.stripeSubscriptionId),
        { at: ctx.at, cause: ctx.cause },
      );
      return 'applied';
    }
    return this.writeSubscription(ctx, row, snapshot);
  }

  /**
   * Completes a recorded plan change Stripe bills (`subscription` is Stripe's answer or its current object):
   * writes it with the plan held in force, appends `plan.changed`, asks for the `plan_changed` email, and
   * deletes the intent, all in the caller's transaction (which holds the customer lock). The command, its
   * retry after a crash and the webhook all end here, so they end in the same state.
   */
  async finishChange(
    em: EntityManager,
    tenant: TenantEntity,
    intent: PlanChangeIntentEntity,
    subscription: Stripe.Subscription,
    options: { at: Date; cause: string },
  ): Promise<void> {
    const hold: Hold | null = intent.heldUntil
      ? {
          plan: intent.heldPlan!,
          interval: intent.heldInterval!,
          purchasedSeats: intent.heldPurchasedSeats!,
          until: intent.heldUntil,
        }
      : null;
    const written = await this.applyCommandResult(em, tenant, subscription, {
      at: options.at,
      actor: intent.actor,
      cause: options.cause,
      hold,
    });
    const invoiceId = intent.invoicesNow ? idOf(subscription.latest_invoice) : null;
    const invoice = invoiceId ? await this.stripe.retrieveInvoice(invoiceId) : null;
    const charged = invoice && invoice.amount_paid > 0 ? invoice.amount_paid : 0;
    const effectiveAt = (hold?.until ?? intent.at).toISOString();
    await this.audit.append(em, {
      tenantId: tenant.id,
      actor: intent.actor,
      action: 'plan.changed',
      before: intent.before,
      after: {
        ...inForce(written),
        state: written.state,
        kind: intent.kind,
        billed: { plan: intent.plan, interval: intent.interval, seats: intent.seats },
        effectiveAt,
        invoiceId,
        amountPaid: charged,
        idempotencyKey: intent.idempotencyKey,
      },
    });
    await this.outbox.enqueue(em, BillingEvent.NotificationRequested, {
      tenantId: tenant.id,
      kind: 'plan_changed',
      cause: `change:${tenant.id}:${intent.keyHash}`,
      to: tenant.billingEmail,
      locale: tenant.locale,
      timeZone: tenant.timeZone,
      data: {
        plan: intent.plan,
        interval: intent.interval,
        previousPlan: intent.before.plan,
        scheduled: hold !== null,
        effectiveAt,
        ...(charged > 0 ? { amount: charged, currency: invoice!.currency } : {}),
      },
    });
    await this.intents.delete(em, intent.stripeSubscriptionId, intent.keyHash);
  }

  /**
   * Writes what a command got back from Stripe (the caller holds the customer lock, see `lockCustomer`).
   * `hold`: set (a downgrade waits for the period end), null (clear it), undefined (keep it).
   */
  async applyCommandResult(
    em: EntityManager,
    tenant: TenantEntity,
    subscription: Stripe.Subscription,
    options: { at: Date; actor: Actor; cause: string; hold?: Hold | null },
  ): Promise<SubscriptionEntity> {
    const ctx: Ctx = { em, tenant, at: options.at, actor: options.actor, cause: options.cause };
    const snapshot = subscriptionSnapshot(subscription, this.prices.resolve);
    const row = await this.subscriptions.find(em, snapshot.stripeSubscriptionId);
    await this.writeSubscription(ctx, row, snapshot, { hold: options.hold, planEmail: false });
    const written = await this.subscriptions.find(em, snapshot.stripeSubscriptionId);
    if (!written) throw new Error(`subscription ${snapshot.stripeSubscriptionId} was not recorded`);
    return written;
  }

  /** Serializes everything that writes one customer's billing state (events, commands, the scheduler). */
  static async lockCustomer(em: EntityManager, customerId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [customerLockKey(customerId)]);
  }

  private async writeSubscription(
    ctx: Ctx,
    row: SubscriptionEntity | null,
    snapshot: SubscriptionSnapshot,
    options: { hold?: Hold | null; planEmail?: boolean } = {},
  ): Promise<ProjectionOutcome> {
    const { em, tenant } = ctx;
    const from: SubscriptionState = row?.state ?? 'none';
    // Stripe keeps a subscription past_due after the grace period; Tollgate has suspended it (the ladder).
    const target: SubscriptionState =
      from === 'suspended' && snapshot.state === 'past_due' ? 'suspended' : snapshot.state;
    const result = transition(from, target);
    let state = from;
    if (result.kind === 'refused') {
      this.logger.warn(
        { subscription: snapshot.stripeSubscriptionId, from, to: target, cause: ctx.cause },
        'illegal transition refused',
      );
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: ctx.actor,
        action: 'subscription.transition_refused',
        before: { state: from },
        after: { state: target, stripeStatus: snapshot.stripeStatus, reason: result.reason },
      });
    } else state = target;

    if (state === 'none' && !row) return 'ignored'; // incomplete: nothing granted, nothing to mirror yet
    if (isLive(state) && !(row && isLive(row.state)))
      await this.settleOtherLive(ctx, snapshot.stripeSubscriptionId);

    const before = row ? summary(row) : null;
    const now = new Date();
    const next: SubscriptionEntity = Object.assign(
      row ? Object.assign(new SubscriptionEntity(), row) : new SubscriptionEntity(),
      {
        stripeSubscriptionId: snapshot.stripeSubscriptionId,
        tenantId: tenant.id,
        stripeCustomerId: snapshot.stripeCustomerId,
        plan: snapshot.plan,
        interval: snapshot.interval,
        stripeStatus: snapshot.stripeStatus,
        state,
        purchasedSeats: snapshot.purchasedSeats,
        currentPeriodStart: snapshot.currentPeriodStart,
        currentPeriodEnd: snapshot.currentPeriodEnd,
        trialEnd: snapshot.trialEnd,
        cancelAt: snapshot.cancelAt,
        cancelAtPeriodEnd: snapshot.cancelAtPeriodEnd,
        canceledAt: snapshot.canceledAt,
        endedAt: snapshot.endedAt,
        lastEventAt: row && row.lastEventAt > ctx.at ? row.lastEventAt : ctx.at,
        lastEventId: ctx.cause,
        createdAt: row?.createdAt ?? now,
        updatedAt: now,
      },
    );
    if (!row) Object.assign(next, { dunningStage: 'none', dunningSince: null, nextRetryAt: null });
    // The hold: as the command says, else kept until its time comes or the subscription ends.
    let hold = options.hold !== undefined ? options.hold : row ? holdOf(row) : null;
    if (hold && (ctx.at.getTime() >= hold.until.getTime() || !isLive(state))) hold = null;
    setHold(next, hold);
    const recovered =
      state === 'active' && (from === 'past_due' || from === 'suspended') && row?.dunningSince
        ? { since: row.dunningSince }
        : null;
    if (state === 'active' || state === 'trialing' || !isLive(state))
      Object.assign(next, { dunningStage: 'none', dunningSince: null, nextRetryAt: null });
    const enteredSuspension = state === 'suspended' && next.dunningStage !== 'suspended';
    if (enteredSuspension)
      Object.assign(next, { dunningStage: 'suspended', dunningSince: next.dunningSince ?? ctx.at });
    const after = summary(next);
    await this.subscriptions.save(em, next);

    if (before === null || JSON.stringify(before) !== JSON.stringify(after)) {
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: ctx.actor,
        action: from !== state ? 'subscription.state_changed' : 'subscription.updated',
        before,
        after: {
          ...after,
          cause: ctx.cause,
          ...(result.kind === 'applied' && result.path.length > 2 ? { path: result.path } : {}),
        },
      });
      await this.emitChanged(ctx, next, from);
    }
    // Stripe itself ended the grace period (e.g. its retries ended with `unpaid`): the ladder's last stage.
    if (enteredSuspension)
      await this.notify(ctx, this.stageEmail(next, 'suspended', next.dunningSince!, null));
    if (recovered)
      await this.notify(ctx, {
        kind: 'reactivated',
        cause: stageCause(next.stripeSubscriptionId, recovered.since, 'reactivated'),
        data: { plan: inForce(next).plan },
      });
    const planEmail = options.planEmail ?? true;
    for (const intent of notificationsFor({
      subscriptionId: next.stripeSubscriptionId,
      from,
      to: state,
      plan: next.plan,
      interval: next.interval,
      previousPlan: row ? (before?.plan ?? null) : null,
      previousInterval: row ? (before?.interval ?? null) : null,
      trialEnd: next.trialEnd,
      cancelAt: next.cancelAt,
      currentPeriodEnd: next.currentPeriodEnd,
      eventId: ctx.cause,
    }))
      if (planEmail || intent.kind !== 'plan_changed') await this.notify(ctx, intent);
    return result.kind === 'refused' ? 'refused' : 'applied';
  }

  /**
   * Another subscription of this tenant still looks live here (its final event may be late): refresh it from
   * Stripe first. If Stripe says it is live too, throw: the event is retried, then dead-lettered for a human.
   */
  private async settleOtherLive(ctx: Ctx, subscriptionId: string): Promise<void> {
    const other = await this.subscriptions.findLive(ctx.em, ctx.tenant.id);
    if (!other || other.stripeSubscriptionId === subscriptionId) return;
    const fresh = subscriptionSnapshot(
      await this.stripe.retrieveSubscription(other.stripeSubscriptionId),
      this.prices.resolve,
    );
    await this.writeSubscription(ctx, other, fresh);
    if (isLive(fresh.state))
      throw new Error(
        `tenant ${ctx.tenant.id} would hold two live subscriptions (${other.stripeSubscriptionId}, ${subscriptionId})`,
      );
  }

  /**
   * Announces the tenant's subscription state (`billing.subscription.changed.v1`, versioned per tenant): the
   * state of the tenant, not of whichever subscription changed. When `changed` is not live but another
   * subscription of the tenant is (a cancel-and-replace whose old subscription's last events are projected
   * after the new one went live), the event describes the live one: entitlements apply the newest version, so
   * an event about the old subscription would take a paying tenant back to Free.
   */
  private async emitChanged(
    ctx: Ctx,
    changed: SubscriptionEntity,
    changedFrom: SubscriptionState,
  ): Promise<void> {
    const otherLive = isLive(changed.state) ? null : await this.subscriptions.findLive(ctx.em, ctx.tenant.id);
    const sub = otherLive ?? changed;
    const previousState = otherLive ? otherLive.state : changedFrom;
    const version = await this.tenants.nextStateVersion(ctx.em, ctx.tenant.id);
    // While past_due the tenant keeps its plan until the grace period ends (entitlements: grace_period).
    const graceUntil =
      sub.state === 'past_due' && sub.dunningSince ? graceEndsAt(this.ladder, sub.dunningSince) : null;
    const live = isLive(sub.state);
    const plan = live ? inForce(sub) : null;
    await this.outbox.enqueue(ctx.em, BillingEvent.SubscriptionChanged, {
      tenantId: ctx.tenant.id,
      plan: plan?.plan ?? 'free',
      interval: plan?.interval ?? null,
      state: sub.state,
      previousState,
      seats: this.prices.catalog.plans[plan?.plan ?? 'free'].includedSeats + (plan?.purchasedSeats ?? 0),
      periodStart: sub.currentPeriodStart?.toISOString() ?? null,
      periodEnd: sub.currentPeriodEnd?.toISOString() ?? null,
      graceUntil: graceUntil?.toISOString() ?? null,
      cause: ctx.cause,
      version,
      at: new Date().toISOString(),
    });
  }

  private async notify(ctx: Ctx, intent: NotificationIntent): Promise<void> {
    await this.outbox.enqueue(ctx.em, BillingEvent.NotificationRequested, {
      tenantId: ctx.tenant.id,
      kind: intent.kind,
      cause: intent.cause,
      to: ctx.tenant.billingEmail,
      locale: ctx.tenant.locale,
      timeZone: ctx.tenant.timeZone,
      data: intent.data,
    });
  }

  // ---- invoices ------------------------------------------------------------------------------------------

  private async applyInvoice(
    ctx: Ctx,
    event: Stripe.Event,
    payload: Stripe.Invoice,
  ): Promise<ProjectionOutcome> {
    const { em } = ctx;
    let snapshot = invoiceSnapshot(payload);
    const row = await this.invoices.findById(em, snapshot.stripeInvoiceId);
    let stale = false;
    if (row) {
      if (ctx.at < row.lastEventAt) stale = true;
      else if (ctx.at.getTime() === row.lastEventAt.getTime())
        snapshot = invoiceSnapshot(await this.stripe.retrieveInvoice(snapshot.stripeInvoiceId));
    }
    if (!stale) {
      const next = Object.assign(row ?? new InvoiceEntity(), snapshot, {
        tenantId: ctx.tenant.id,
        lastEventAt: row && row.lastEventAt > ctx.at ? row.lastEventAt : ctx.at,
      });
      await this.invoices.save(em, next);
      await this.outbox.enqueue(em, BillingEvent.InvoiceChanged, {
        tenantId: ctx.tenant.id,
        invoice: invoiceView(next),
        cause: event.id,
      });
    }
    // The payment outcome an event reports is a fact even when a newer invoice state was already stored.
    const invoice = payload;
    const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription ?? null);
    const facts = invoiceFacts(invoice);
    if (event.type === 'invoice.paid') {
      if (invoice.amount_paid > 0)
        await this.notify(ctx, {
          kind: 'payment_succeeded',
          cause: `invoice:${invoice.id}:paid`,
          data: {
            invoiceId: invoice.id,
            invoiceNumber: facts.invoiceNumber,
            currency: invoice.currency,
            hostedInvoiceUrl: facts.hostedInvoiceUrl,
            invoicePdf: invoice.invoice_pdf ?? null,
            amount: invoice.amount_paid,
            paidAt: ctx.at.toISOString(),
          },
        });
    } else if (event.type === 'invoice.payment_failed') {
      const sub = subscriptionId ? await this.subscriptions.find(em, subscriptionId) : null;
      const nextRetryAt = upcomingRetry(invoice.next_payment_attempt, ctx.at);
      // A live subscription's failed payment climbs the ladder; a stale report (the invoice has moved on
      // since) or one about a subscription never granted (incomplete) gets a single email.
      if (sub && sub.tenantId === ctx.tenant.id && isLive(sub.state) && !stale && invoice.status === 'open')
        await this.advanceDunning(ctx, sub, ctx.at, facts, nextRetryAt);
      else
        await this.notify(ctx, {
          kind: 'payment_failed',
          cause: `invoice:${invoice.id}:attempt:${Math.max(1, invoice.attempt_count ?? 1)}`,
          data: { ...facts, nextRetryAt: nextRetryAt?.toISOString() ?? null },
        });
    } else if (event.type === 'invoice.payment_action_required') {
      await this.notify(ctx, {
        kind: 'action_required',
        cause: `invoice:${invoice.id}:action_required`,
        data: { ...facts },
      });
    }
    return stale ? 'stale' : 'applied';
  }

  // ---- dunning ladder and held plans (time-driven) --------------------------------------------------------

  /**
   * Moves the ladder to what is due at `now`, starting it at `now` if it had not started. Enters each stage at
   * most once (the stage only moves forward, under the customer lock), so each email is asked for once.
   * `nextRetryAt` is Stripe's next attempt as of `now` (`upcomingRetry`), from the invoice the caller has from
   * Stripe: the stage's email names it, never a date stored earlier (by then it may be past).
   */
  private async advanceDunning(
    ctx: Ctx,
    sub: SubscriptionEntity,
    now: Date,
    facts: InvoiceFacts | null,
    nextRetryAt: Date | null,
  ): Promise<void> {
    if (sub.dunningStage === 'suspended') return;
    const since = sub.dunningSince ?? now;
    let stage = nextStage(this.ladder, sub.dunningStage, since, now);
    // Only a subscription Stripe still reports past_due is suspended; an active one has been paid meanwhile.
    if (stage === 'suspended' && sub.state !== 'past_due') stage = null;
    const next = Object.assign(new SubscriptionEntity(), sub, {
      dunningStage: stage ?? sub.dunningStage,
      dunningSince: since,
      nextRetryAt: predatesStage(this.ladder, sub.dunningStage, sub.dunningSince, now)
        ? sub.nextRetryAt
        : nextRetryAt,
      updatedAt: new Date(),
    });
    if (stage === 'suspended') next.state = 'suspended';
    const unchanged =
      next.dunningStage === sub.dunningStage &&
      next.dunningSince?.getTime() === sub.dunningSince?.getTime() &&
      next.nextRetryAt?.getTime() === sub.nextRetryAt?.getTime();
    if (unchanged) return;
    await this.subscriptions.save(ctx.em, next);
    await this.audit.append(ctx.em, {
      tenantId: ctx.tenant.id,
      actor: ctx.actor,
      action: stage === 'suspended' ? 'subscription.state_changed' : 'dunning.changed',
      before: {
        state: sub.state,
        stage: sub.dunningStage,
        since: sub.dunningSince,
        nextRetryAt: sub.nextRetryAt,
      },
      after: {
        state: next.state,
        stage: next.dunningStage,
        since: next.dunningSince,
        nextRetryAt: next.nextRetryAt,
        cause: ctx.cause,
      },
    });
    await this.emitChanged(ctx, next, sub.state);
    if (stage) await this.notify(ctx, this.stageEmail(next, stage, since, facts));
  }

  private stageEmail(
    sub: SubscriptionEntity,
    stage: LadderStage,
    since: Date,
    facts: InvoiceFacts | null,
  ): NotificationIntent {
    return {
      kind: STAGE_EMAIL[stage],
      cause: stageCause(sub.stripeSubscriptionId, since, stage),
      data: {
        plan: inForce(sub).plan,
        ...(facts ?? {}),
        ...(stage === 'suspended'
          ? {}
          : {
              nextRetryAt: sub.nextRetryAt?.toISOString() ?? null,
              suspendsAt: graceEndsAt(this.ladder, since).toISOString(),
            }),
      },
    };
  }

  /**
   * The scheduler's step for one subscription at Stripe's `now` (the customer's test clock, if any): release a
   * held plan whose time has come, climb the dunning ladder. Takes the customer lock without waiting: a
   * replica that finds it taken skips the subscription this round, and the stage checks under the lock make a
   * second pass a no-op, so however many replicas run, each stage fires once.
   */
  async runDue(subscriptionId: string, now: Date): Promise<'done' | 'busy' | 'nothing'> {
    const outcome = await this.ds.transaction(async (em): Promise<'done' | 'busy' | 'nothing'> => {
      const found = await this.subscriptions.find(em, subscriptionId);
      if (!found) return 'nothing';
      const [{ locked }] = await em.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
        [customerLockKey(found.stripeCustomerId)],
      );
      if (!locked) return 'busy';
      let sub = (await this.subscriptions.find(em, subscriptionId))!;
      const tenant = await this.tenants.find(em, sub.tenantId);
      if (!tenant) return 'nothing';
      const ctx: Ctx = {
        em,
        tenant,
        at: now,
        actor: { type: 'system', id: 'billing-scheduler' },
        cause: `scheduler:${subscriptionId}:${Math.floor(now.getTime() / 1000)}`,
      };
      let done = false;
      const hold = holdOf(sub);
      if (hold && now.getTime() >= hold.until.getTime()) {
        const next = Object.assign(new SubscriptionEntity(), sub, { updatedAt: new Date() });
        setHold(next, null);
        await this.subscriptions.save(em, next);
        await this.audit.append(em, {
          tenantId: tenant.id,
          actor: ctx.actor,
          action: 'plan_change.effective',
          before: { plan: hold.plan, interval: hold.interval, purchasedSeats: hold.purchasedSeats },
          after: { plan: next.plan, interval: next.interval, purchasedSeats: next.purchasedSeats },
        });
        await this.emitChanged(ctx, next, sub.state);
        sub = next;
        done = true;
      }
      // A stage is due by the mirror; Stripe says whether it is still owed (a retry that succeeded this very
      // moment has not been projected yet: its event will make the subscription active, with no reminder), and
      // when it retries next (that retry's invoice.payment_failed may not be projected yet either). A retry
      // due at about the stage's start is waited for (awaitsRetry): its outcome decides the email.
      const due =
        sub.state === 'past_due' && sub.dunningSince
          ? nextStage(this.ladder, sub.dunningStage, sub.dunningSince, now)
          : null;
      if (due && sub.dunningSince) {
        const subscription = await this.stripe.retrieveSubscription(sub.stripeSubscriptionId);
        if (stillOwing(subscription.status)) {
          const invoice = await this.troubledInvoice(em, subscription);
          const attempt = invoice?.next_payment_attempt
            ? new Date(invoice.next_payment_attempt * 1000)
            : null;
          if (!awaitsRetry(this.ladder, due, sub.dunningSince, attempt, now)) {
            await this.advanceDunning(
              ctx,
              sub,
              now,
              invoice && invoiceFacts(invoice),
              upcomingRetry(invoice?.next_payment_attempt, now),
            );
            done = true;
          }
        }
      }
      return done ? 'done' : 'nothing';
    });
    if (outcome === 'done') this.onCommit();
    return outcome;
  }

  /**
   * The invoice the ladder is about, as Stripe has it now: the open one in the mirror, else the subscription's
   * latest. Fetched even when mirrored, for its current `next_payment_attempt`.
   */
  private async troubledInvoice(
    em: EntityManager,
    subscription: Stripe.Subscription,
  ): Promise<Stripe.Invoice | null> {
    const row = await this.invoices.findOpenForSubscription(em, subscription.id);
    const id = row?.stripeInvoiceId ?? idOf(subscription.latest_invoice);
    return id ? this.stripe.retrieveInvoice(id) : null;
  }

  // ---- customer and payment methods ---------------------------------------------------------------------

  private async applyCustomer(
    ctx: Ctx,
    customer: Stripe.Customer,
    previous: Partial<Stripe.Customer> | undefined,
  ): Promise<ProjectionOutcome> {
    const credit = -(customer.balance ?? 0);
    if (credit !== ctx.tenant.creditBalance) {
      await ctx.em.query(`UPDATE billing.tenants SET credit_balance = $2 WHERE id = $1`, [
        ctx.tenant.id,
        credit,
      ]);
      await this.audit.append(ctx.em, {
        tenantId: ctx.tenant.id,
        actor: ctx.actor,
        action: 'credit_balance.changed',
        before: { creditBalance: ctx.tenant.creditBalance },
        after: { creditBalance: credit },
      });
    }
    const defaultPm = idOf(customer.invoice_settings?.default_payment_method ?? null);
    if (defaultPm && defaultPm !== ctx.tenant.paymentMethodId) {
      const card = await this.stripe.cardOf(defaultPm);
      if (card) await this.setPaymentMethod(ctx, { id: defaultPm, ...card });
    }
    // The default card was unset (Stripe names the one it was): forget it if it is the one we show.
    const previousPm = idOf(previous?.invoice_settings?.default_payment_method ?? null);
    if (!defaultPm && previousPm) await this.clearPaymentMethod(ctx, previousPm);
    return 'applied';
  }

  /** A card removed at Stripe (detached, or no longer the default) stops being shown, if it is ours. */
  private async clearPaymentMethod(ctx: Ctx, paymentMethodId: string): Promise<ProjectionOutcome> {
    if (ctx.tenant.paymentMethodId !== paymentMethodId) return 'ignored';
    await this.tenants.clearPaymentMethod(ctx.em, ctx.tenant.id);
    await this.audit.append(ctx.em, {
      tenantId: ctx.tenant.id,
      actor: ctx.actor,
      action: 'payment_method.removed',
      before: { brand: ctx.tenant.paymentMethodBrand, last4: ctx.tenant.paymentMethodLast4 },
      after: null,
    });
    Object.assign(ctx.tenant, { paymentMethodId: null, paymentMethodBrand: null, paymentMethodLast4: null });
    return 'applied';
  }

  private async setPaymentMethod(ctx: Ctx, pm: { id: string; brand: string; last4: string }): Promise<void> {
    await this.tenants.setPaymentMethod(ctx.em, ctx.tenant.id, pm);
    await this.audit.append(ctx.em, {
      tenantId: ctx.tenant.id,
      actor: ctx.actor,
      action: 'payment_method.updated',
      before: ctx.tenant.paymentMethodBrand
        ? { brand: ctx.tenant.paymentMethodBrand, last4: ctx.tenant.paymentMethodLast4 }
        : null,
      after: { brand: pm.brand, last4: pm.last4 },
    });
    Object.assign(ctx.tenant, {
      paymentMethodId: pm.id,
      paymentMethodBrand: pm.brand,
      paymentMethodLast4: pm.last4,
    });
  }
}

function summary(row: SubscriptionEntity) {
  return {
    subscriptionId: row.stripeSubscriptionId,
    plan: row.plan,
    interval: row.interval,
    state: row.state,
    stripeStatus: row.stripeStatus,
    purchasedSeats: row.purchasedSeats,
    currentPeriodEnd: row.currentPeriodEnd?.toISOString() ?? null,
    trialEnd: row.trialEnd?.toISOString() ?? null,
    cancelAt: row.cancelAt?.toISOString() ?? null,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    dunningStage: row.dunningStage,
    heldPlan: row.heldPlan ?? null,
    heldUntil: row.heldUntil?.toISOString() ?? null,
  };
}
