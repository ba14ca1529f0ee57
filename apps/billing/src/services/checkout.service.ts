/**
 * Checkout (Stripe-hosted), setup → compute → execute, under the tenant's row lock so a double click cannot
 * open two sessions:
 * - a tenant with a live subscription is told to change it instead (409 subscription_exists_use_change);
 * - the same (tenant, Idempotency-Key) answers the same session; the same key with another selection is a
 *   conflict;
 * - at most one open session per tenant (a partial unique index): an open one with the same selection is
 *   reused, a different one is expired at Stripe first.
 * A pro/business trial (catalog trialDays) is offered to a tenant that never had a subscription, and needs no
 * card (payment_method_collection if_required).
 */
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  DomainError,
  ErrorCode,
  type CheckoutReply,
  type IdempotentPlanSelection,
  type Interval,
  type PlanId,
  type TenantCommand,
} from '@tollgate/contracts';
import type { StripeGateway } from '../adapters/stripe.gateway';
import { CheckoutSessionEntity } from '../entities';
import { AuditRepository } from '../repositories/audit.repository';
import { CheckoutSessionRepository } from '../repositories/checkout-session.repository';
import { SubscriptionRepository } from '../repositories/subscription.repository';
import { TenantRepository } from '../repositories/tenant.repository';
import type { CatalogPrices } from './catalog-sync.service';

export interface CheckoutPlan {
  plan: PlanId;
  interval: Interval;
  seats: number;
  lineItems: { price: string; quantity: number }[];
  trialDays: number;
}

/** Compute (pure): the Stripe line items and trial for a selection. */
export function planCheckout(
  prices: CatalogPrices,
  selection: { plan: PlanId; interval: Interval; seats?: number },
  hadSubscription: boolean,
): CheckoutPlan {
  const plan = prices.catalog.plans[selection.plan];
  if (plan.baseline)
    throw new DomainError(ErrorCode.ValidationFailed, `${selection.plan} needs no checkout`, {
      fields: { plan: ['not a paid plan'] },
    });
  const planPrice = prices.planPrice(selection.plan, selection.interval);
  if (!planPrice)
    throw new DomainError(
      ErrorCode.UpstreamUnavailable,
      `no Stripe price for ${selection.plan}/${selection.interval}`,
    );
  const seats = selection.seats ?? plan.includedSeats;
  if (seats < plan.includedSeats)
    throw new DomainError(ErrorCode.ValidationFailed, `${plan.name} includes ${plan.includedSeats} seats`, {
      fields: { seats: [`at least ${plan.includedSeats}`] },
    });
  const lineItems = [{ price: planPrice, quantity: 1 }];
  const extra = seats - plan.includedSeats;
  if (extra > 0) {
    const seatPrice = prices.seatPrice(selection.interval);
    if (!seatPrice)
      throw new DomainError(
        ErrorCode.UpstreamUnavailable,
        `no Stripe price for extra seats/${selection.interval}`,
      );
    lineItems.push({ price: seatPrice, quantity: extra });
  }
  return {
    plan: selection.plan,
    interval: selection.interval,
    seats,
    lineItems,
    trialDays: hadSubscription ? 0 : plan.trialDays,
  };
}

export class CheckoutService {
  private readonly tenants = new TenantRepository();
  private readonly subscriptions = new SubscriptionRepository();
  private readonly sessions = new CheckoutSessionRepository();
  private readonly audit = new AuditRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly stripe: StripeGateway,
    private readonly prices: CatalogPrices,
    private readonly publicBaseUrl: string,
  ) {}

  async create(request: IdempotentPlanSelection): Promise<CheckoutReply> {
    return this.ds.transaction(async (em) => {
      // Setup.
      const tenant = await this.tenants.findForUpdate(em, request.tenantId);
      if (!tenant?.stripeCustomerId) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
      const live = await this.subscriptions.findLive(em, tenant.id);
      if (live)
        throw new DomainError(
          ErrorCode.SubscriptionExistsUseChange,
          'the tenant has a subscription; change it instead',
          {
            plan: live.plan,
            state: live.state,
          },
        );
      const checkout = planCheckout(this.prices, request, await this.subscriptions.hasAny(em, tenant.id));
      const same = (s: CheckoutSessionEntity) =>
        s.plan === checkout.plan && s.interval === checkout.interval && s.seats === checkout.seats;

      const byKey = await this.sessions.findByKey(em, tenant.id, request.idempotencyKey);
      if (byKey) {
        if (!same(byKey))
          throw new DomainError(
            ErrorCode.IdempotencyConflict,
            'this Idempotency-Key was used for another selection',
          );
        return { checkoutUrl: byKey.url, sessionId: byKey.stripeSessionId };
      }
      const open = await this.sessions.findOpen(em, tenant.id);
      if (open && same(open) && (open.expiresAt === null || open.expiresAt.getTime() > Date.now() + 60_000))
        return { checkoutUrl: open.url, sessionId: open.stripeSessionId };

      // Execute.
      if (open) {
        await this.stripe.expireCheckoutSession(open.stripeSessionId);
        await this.sessions.setStatus(em, open.stripeSessionId, 'expired');
      }
      const keyHash = createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 32);
      const session = await this.stripe.createCheckoutSession({
        customerId: tenant.stripeCustomerId,
        tenantId: tenant.id,
        lineItems: checkout.lineItems,
        trialDays: checkout.trialDays,
        successUrl: `${this.publicBaseUrl}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${this.publicBaseUrl}/billing?checkout=canceled`,
        metadata: {
          tenant_id: tenant.id,
          plan: checkout.plan,
          interval: checkout.interval,
          seats: String(checkout.seats),
        },
        idempotencyKey: `tenant:${tenant.id}:checkout:${keyHash}`,
      });
      if (!session.url)
        throw new DomainError(ErrorCode.StripeError, 'Stripe returned a checkout session without a URL');
      await this.sessions.insert(
        em,
        Object.assign(new CheckoutSessionEntity(), {
          stripeSessionId: session.id,
          tenantId: tenant.id,
          idempotencyKey: request.idempotencyKey,
          plan: checkout.plan,
          interval: checkout.interval,
          seats: checkout.seats,
          status: 'open',
          url: session.url,
          expiresAt: session.expires_at ? new Date(session.expires_at * 1000) : null,
          createdAt: new Date(),
        }),
      );
      await this.audit.append(em, {
        tenantId: tenant.id,
        actor: request.actor,
        action: 'checkout.created',
        after: {
          sessionId: session.id,
          plan: checkout.plan,
          interval: checkout.interval,
          seats: checkout.seats,
          trialDays: checkout.trialDays,
        },
      });
      return { checkoutUrl: session.url, sessionId: session.id };
    });
  }

  async portal(request: TenantCommand): Promise<{ url: string }> {
    const tenant = await this.tenants.find(this.ds.manager, request.tenantId);
    if (!tenant?.stripeCustomerId) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
    const url = await this.stripe.createPortalSession(
      tenant.stripeCustomerId,
      `${this.publicBaseUrl}/billing`,
    );
    await this.audit.append(this.ds.manager, {
      tenantId: tenant.id,
      actor: request.actor,
      action: 'portal.opened',
    });
    return { url };
  }
}
