/**
 * Demo data (seed 004), made through the public API and the emulator exactly as a customer would:
 * Acme Corp (Business annual, 20 of 25 seats, active), Startup Inc (Pro monthly in trial, 3 days left, no
 * payment method) and Old Co (Pro monthly, past_due for 2 days). Test clocks move the last two through time.
 * Idempotent: running it again leaves tenants that already have a subscription as they are.
 */
import type Stripe from 'stripe';
import type { BillingState } from '@tollgate/contracts';

const DAY = 24 * 3600;

export interface SeedContext {
  gatewayUrl: string;
  emulatorUrl: string;
  operatorToken: string;
  ownerToken: (tenantId: string) => Promise<string>;
  stripe: Stripe;
  log: (line: string) => void;
}

async function api<T>(
  ctx: SeedContext,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${ctx.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function waitFor(
  ctx: SeedContext,
  tenantId: string,
  accept: (state: BillingState) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<BillingState> {
  const token = await ctx.ownerToken(tenantId);
  const deadline = Date.now() + timeoutMs;
  let state: BillingState | undefined;
  while (Date.now() < deadline) {
    const res = await api<BillingState>(ctx, 'GET', '/v1/billing', token);
    state = res.body;
    if (res.status === 200 && accept(state)) return state;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${tenantId}: timed out waiting for ${what} (last state ${JSON.stringify(state)})`);
}

async function advanceClock(ctx: SeedContext, clockId: string, to: number): Promise<void> {
  await ctx.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: to });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const clock = await ctx.stripe.testHelpers.testClocks.retrieve(clockId);
    if (clock.status === 'ready') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`test clock ${clockId} did not finish advancing`);
}

async function subscribe(
  ctx: SeedContext,
  tenant: { id: string; name: string; testClock?: string },
  plan: 'pro' | 'business',
  interval: 'month' | 'year',
  paymentMethod: string | null,
): Promise<boolean> {
  const created = await api(ctx, 'POST', '/v1/tenants', ctx.operatorToken, {
    id: tenant.id,
    name: tenant.name,
    billingEmail: `billing@${tenant.id}.example`,
    ...(tenant.testClock ? { testClock: tenant.testClock } : {}),
  });
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`creating ${tenant.id}: ${JSON.stringify(created.body)}`);
  const owner = await ctx.ownerToken(tenant.id);
  const checkout = await api<{ sessionId: string; error?: { code: string } }>(
    ctx,
    'POST',
    '/v1/billing/checkout',
    owner,
    { plan, interval },
    `seed-${tenant.id}`,
  );
  if (checkout.status === 409 && checkout.body.error?.code === 'subscription_exists_use_change') return false;
  if (checkout.status !== 200) throw new Error(`checkout for ${tenant.id}: ${JSON.stringify(checkout.body)}`);
  const complete = await fetch(`${ctx.emulatorUrl}/_emulator/checkout/${checkout.body.sessionId}/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paymentMethod }), // null: a trial without a card
  });
  if (!complete.ok) throw new Error(`completing checkout for ${tenant.id}: ${await complete.text()}`);
  return true;
}

export async function seedDemo(ctx: SeedContext): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // Each clock starts in the past and is advanced to now, so Stripe's time and the wall clock (the billing page's
  // "3 days left", the dunning banner's dates) agree once seeding is done.

  // Paid plans start with a trial; Acme's clock moves past it so the first annual invoice is paid.
  const acmeStart = now - 14 * DAY - 2 * 3600;
  const acmeClock = await ctx.stripe.testHelpers.testClocks.create({
    frozen_time: acmeStart,
    name: 'Acme Corp',
  });
  const acme = { id: 'acme', name: 'Acme Corp', testClock: acmeClock.id };
  if (await subscribe(ctx, acme, 'business', 'year', 'pm_card_visa')) {
    await waitFor(ctx, 'acme', (s) => s.status === 'trialing', 'Acme trialing');
    await advanceClock(ctx, acmeClock.id, now);
    await waitFor(
      ctx,
      'acme',
      (s) => s.status === 'active' && s.plan === 'business',
      'Acme active on Business',
    );
    const owner = await ctx.ownerToken('acme');
    for (let i = 1; i <= 20; i++)
      await api(ctx, 'POST', '/v1/billing/members', owner, {
        userId: `acme-user-${i}`,
        email: `user${i}@acme.example`,
      });
  }
  ctx.log('Acme Corp: Business annual, active, 20 of 25 seats');

  const startupClock = await ctx.stripe.testHelpers.testClocks.create({
    frozen_time: now - 11 * DAY,
    name: 'Startup Inc',
  });
  if (
    await subscribe(
      ctx,
      { id: 'startup', name: 'Startup Inc', testClock: startupClock.id },
      'pro',
      'month',
      null,
    )
  ) {
    await waitFor(ctx, 'startup', (s) => s.status === 'trialing', 'Startup trialing');
    await advanceClock(ctx, startupClock.id, now);
  }
  ctx.log('Startup Inc: Pro monthly, trialing with 3 days left, no payment method');

  const oldStart = now - 16 * DAY - 3600;
  const oldClock = await ctx.stripe.testHelpers.testClocks.create({ frozen_time: oldStart, name: 'Old Co' });
  if (
    await subscribe(
      ctx,
      { id: 'oldco', name: 'Old Co', testClock: oldClock.id },
      'pro',
      'month',
      'pm_card_chargeCustomerFail',
    )
  ) {
    await waitFor(ctx, 'oldco', (s) => s.status === 'trialing', 'Old Co trialing');
    await advanceClock(ctx, oldClock.id, oldStart + 14 * DAY + 3600);
    await waitFor(ctx, 'oldco', (s) => s.status === 'past_due', 'Old Co past_due');
    await advanceClock(ctx, oldClock.id, now);
  }
  ctx.log('Old Co: Pro monthly, past_due for 2 days');
}
