/**
 * Issue 9's browser tests on the real platform: every process spawned (Stripe emulator, SMTP catcher, the five
 * services) on its own database, namespace and ports, the demo tenants of seed 004 made by `seedDemo` through
 * the public API and test clocks, and headless Chromium on the billing page. The Startup owner upgrades
 * through Stripe's proration preview (the amounts shown are the ones the emulator then invoices), the Acme
 * owner cancels at period end and resumes (twice: each cancellation is mailed), the Old Co owner follows the
 * dunning banner to the portal, puts a working card on file and pays, and an Acme member sees the read-only
 * view. Screenshots: test-artifacts/browser/platform-*.png.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { eventually, signToken } from '@tollgate/testing';
import type { Role } from '@tollgate/contracts';
import { seedDemo } from '../../scripts/seed-demo';
import {
  isVisibleExpression,
  launchChromium,
  openBillingPage,
  recordText,
  screenshot,
  textOf,
  waitForCount,
  waitForText,
  type TestBrowser,
} from '../browser/chromium';
import { PipelineHarness } from './pipeline-harness';

jest.setTimeout(150_000);

/** How long the page may take to show what Stripe confirmed (its first poll is after 0.5 s). */
const CONFIRM_MS = 15_000;
/** Whether the "Waiting for Stripe" badge shows, read in the page together with the status text. */
const PENDING_BADGE_SHOWN = isVisibleExpression('pending-badge');

const money = (minor: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);

describe('billing page in Chromium on the real platform (seeded demo tenants)', () => {
  const h = new PipelineHarness();
  let chromium: TestBrowser;
  let context: BrowserContext;
  let gateway: string;
  const customers = new Map<string, string>();

  beforeAll(async () => {
    await h.start();
    gateway = h.platform.urls.gateway;
    const ownerToken = (tid: string) => signToken({ sub: `${tid}-owner`, role: 'owner', tid });
    await seedDemo({
      gatewayUrl: gateway,
      emulatorUrl: h.platform.urls.emulator,
      operatorToken: await signToken({ sub: 'e2e-operator', role: 'operator' }),
      ownerToken,
      stripe: h.stripe,
      log: () => undefined,
    });
    const rows = await h.pg.query<{ id: string; customer: string }>(
      `SELECT id, stripe_customer_id AS customer FROM billing.tenants`,
    );
    for (const row of rows.rows) customers.set(row.id, row.customer);
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await h.stop();
  });

  beforeEach(async () => {
    context = await chromium.browser.newContext({ viewport: { width: 1100, height: 900 } });
  });

  afterEach(async () => {
    await context?.close();
  });

  const token = (tenantId: string, role: Role) =>
    signToken({ sub: `${tenantId}-${role}`, role, tid: tenantId });

  const signIn = async (tenantId: string, role: Role = 'owner'): Promise<Page> => {
    const { page, errors } = await openBillingPage(context, gateway, await token(tenantId, role));
    expect(errors).toEqual([]);
    return page;
  };

  const subscriptionOf = async (tenantId: string): Promise<Stripe.Subscription> => {
    const list = await h.stripe.subscriptions.list({ customer: customers.get(tenantId)!, limit: 10 });
    expect(list.data).toHaveLength(1);
    return list.data[0];
  };

  /** The tenant's caught mail, oldest first, as "kind: subject". */
  const mailOf = async (tenantId: string): Promise<string[]> => {
    const all = (await (await fetch(`${h.platform.urls.smtpHttp}/api/messages`)).json()) as {
      to: string[];
      subject: string;
      headers: Record<string, string>;
    }[];
    return all
      .filter((m) => m.to.includes(`billing@${tenantId}.example`))
      .reverse()
      .map((m) => `${m.headers['x-tollgate-kind']}: ${m.subject}`);
  };

  /**
   * Upgrades to Business (monthly) through the page: the preview dialog, then confirm, the pending status and
   * Stripe's confirmation without a reload. Answers what the preview showed.
   */
  const upgradeToBusiness = async (page: Page, name: string) => {
    await page.locator('#change-form').getByLabel('Plan').selectOption('business');
    await page.locator('#change-form').getByLabel('Monthly').check();
    expect(await textOf(page, '#change-price')).toBe('Business: $99.00 per month, before proration.');
    await page.getByRole('button', { name: 'Preview change' }).click();
    await page.getByRole('dialog', { name: 'Upgrade to Business (monthly)' }).waitFor();
    const shown = {
      summary: await textOf(page, '#preview-summary'),
      lines: await page.locator('#preview-lines tr td.num').allTextContents(),
      next: await textOf(page, '#preview-next'),
    };
    await screenshot(page, `platform-${name}-upgrade-preview`);
    // Stripe confirms at once here, so the pending state lasts only until the page's first poll (0.5 s):
    // recorded in the page rather than polled from here, badge and text read at the same moment.
    const sync = await recordText<boolean>(page, '#sync-status', PENDING_BADGE_SHOWN);
    await page.getByRole('button', { name: 'Confirm change' }).click();
    const pending = await sync.waitFor('Waiting for Stripe to confirm: change to Business (monthly)');
    expect(pending.facts).toBe(true);
    await screenshot(page, `platform-${name}-upgrade-pending`);
    await waitForText(page, '#plan', 'Business', CONFIRM_MS);
    await waitForText(
      page,
      '#sync-status',
      'Stripe confirmed: your plan change to Business (monthly) is in place.',
    );
    expect(await page.locator('#pending-badge').isVisible()).toBe(false);
    await screenshot(page, `platform-${name}-upgrade-confirmed`);
    return shown;
  };

  /** Stripe's own preview of the subscription's next regular invoice. */
  const nextInvoice = async (tenantId: string, subscription: string) =>
    h.stripe.invoices.createPreview({ customer: customers.get(tenantId)!, subscription });

  it('Startup Inc owner, in trial without a card, upgrades to Business: nothing due now, the next invoice as Stripe has it', async () => {
    const page = await signIn('startup');
    expect(await textOf(page, '#tenant-name')).toBe('Startup Inc');
    expect(await textOf(page, '#plan')).toBe('Pro');
    expect(await textOf(page, '#status')).toBe('Free trial');
    expect(await textOf(page, '#trial-left')).toMatch(/^3 days left \(ends .+\)$/);
    expect(await textOf(page, '#payment-method')).toBe('None on file');
    expect(await textOf(page, '#banner-title')).toBe('Add a payment method before your trial ends');

    const shown = await upgradeToBusiness(page, 'startup');
    expect(await textOf(page, '#seats')).toBe('0 of 25 used');

    // During a trial Stripe charges nothing for a change (no invoice is made), and the preview's lines and
    // total are those of the first invoice after the trial, exactly as Stripe now previews it.
    const sub = await subscriptionOf('startup');
    expect(sub.items.data.map((i) => i.price.lookup_key)).toEqual(['tollgate_business_month']);
    const invoices = await h.stripe.invoices.list({ customer: customers.get('startup')!, limit: 10 });
    expect(invoices.data.map((i) => [i.billing_reason, i.amount_due])).toEqual([['subscription_create', 0]]);
    expect(shown.summary).toBe('Nothing is charged now. The new plan starts immediately.');
    const next = await nextInvoice('startup', sub.id);
    expect(next.total).toBe(9900);
    expect(shown.lines).toEqual(next.lines.data.map((l) => money(l.amount)));
    expect(shown.next).toBe(`Your next invoice will total ${money(next.total)}.`);
  });

  it('Acme Corp owner cancels at period end and resumes, twice, with one email per cancellation', async () => {
    const page = await signIn('acme');
    expect(await textOf(page, '#plan')).toBe('Business');
    expect(await textOf(page, '#interval')).toBe('Yearly');
    expect(await textOf(page, '#status')).toBe('Active');
    expect(await textOf(page, '#seats')).toBe('20 of 25 used');
    expect(await textOf(page, '#payment-method')).toBe('Visa ending in 4242');
    await waitForCount(page, '#members-list li', 20);
    const renewal = await textOf(page, '#renewal');
    await screenshot(page, 'platform-acme-owner');

    for (const round of [1, 2]) {
      await page.getByLabel('At the end of the billing period').check();
      await page.getByRole('button', { name: 'Cancel subscription…' }).click();
      await page.getByRole('dialog', { name: 'Cancel your subscription?' }).waitFor();
      expect(await textOf(page, '#cancel-dialog-text')).toContain(`stays active until ${renewal}`);
      const cancelSync = await recordText(page, '#sync-status');
      await page.getByRole('button', { name: 'Yes, cancel at period end' }).click();
      await cancelSync.waitFor('Waiting for Stripe to confirm: cancel at the end of the period');
      await waitForText(page, '#status', 'Cancels at period end', CONFIRM_MS);
      await waitForText(
        page,
        '#sync-status',
        'Stripe confirmed: the subscription will end at the end of the period.',
      );
      expect(await textOf(page, '#renewal-label')).toBe('Ends on');
      expect(await textOf(page, '#renewal')).toBe(renewal);
      expect((await subscriptionOf('acme')).cancel_at_period_end).toBe(true);
      if (round === 1) await screenshot(page, 'platform-acme-cancel-pending');

      const resumeSync = await recordText(page, '#sync-status');
      await page.getByRole('button', { name: 'Keep my subscription' }).click();
      await resumeSync.waitFor('Waiting for Stripe to confirm: keep the subscription');
      await waitForText(page, '#sync-status', 'Stripe confirmed: the subscription continues.', CONFIRM_MS);
      expect(await textOf(page, '#status')).toBe('Active');
      expect(await textOf(page, '#renewal-label')).toBe('Renews on');
      expect((await subscriptionOf('acme')).cancel_at_period_end).toBe(false);
    }
    await screenshot(page, 'platform-acme-resumed');

    // Two cancellations by the owner are two emails, however the same period end they name.
    await eventually(
      async () => (await mailOf('acme')).filter((m) => m.startsWith('canceled:')).length === 2,
      { timeoutMs: 30_000, what: 'two cancellation emails to Acme' },
    );
    await waitForText(page, '#audit-rows', 'subscription resumed');
  });

  it('Old Co owner follows the dunning banner to the portal, puts a Visa on file, pays, is active again, and upgrades at the previewed price', async () => {
    const page = await signIn('oldco');
    expect(await textOf(page, '#status')).toBe('Payment past due');
    const banner = page.getByRole('region', { name: 'Your last payment failed' });
    expect(await banner.isVisible()).toBe(true);
    expect(await textOf(page, '#banner-text')).toMatch(
      /^We could not charge your payment method on .+\. We will try again on .+\. Update the payment method/,
    );
    // Old Co's invoices on the platform: the trial's $0 one and the failed renewal (listed first, newest).
    await waitForCount(page, '#invoices-rows tr', 2);
    expect(await textOf(page, '#invoices-rows tr td:nth-child(4)')).toBe('Due');
    await screenshot(page, 'platform-oldco-dunning-banner');

    await Promise.all([
      page.waitForURL(`${h.platform.urls.emulator}/portal/**`),
      banner.getByRole('button', { name: 'Fix payment method' }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Billing');
    await page.locator('form[action$="/payment-method"] select').selectOption('pm_card_visa');
    // The form posts and redirects back to the portal page, whose address already matched before the click
    // (so waiting for the URL would not wait): wait for the new card on the page itself.
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByText('visa •••• 4242').waitFor({ timeout: 30_000 });
    expect(await page.getByText('visa •••• 4242').count()).toBe(1);
    await screenshot(page, 'platform-oldco-portal');

    // The open renewal invoice, paid on Stripe's hosted invoice page (the dunning email's "Pay invoice").
    const owner = await token('oldco', 'owner');
    const open = (await h.api('GET', '/v1/billing/invoices', owner)).body.data.filter(
      (i: { status: string }) => i.status === 'open',
    ) as { hostedInvoiceUrl: string; total: number }[];
    expect(open).toHaveLength(1);
    await page.goto(open[0].hostedInvoiceUrl);
    await page.locator('select[name="paymentMethod"]').selectOption('pm_card_visa');
    await page.getByRole('button', { name: `Pay ${money(open[0].total)}` }).click();
    await eventually(async () => (await h.api('GET', '/v1/billing', owner)).body.status === 'active', {
      timeoutMs: 30_000,
      what: 'Old Co active',
    });

    const back = await signIn('oldco');
    expect(await textOf(back, '#status')).toBe('Active');
    expect(await back.locator('#banner').isVisible()).toBe(false);
    expect(await textOf(back, '#payment-method')).toBe('Visa ending in 4242');
    await screenshot(back, 'platform-oldco-active-again');

    // Active again with a working card, Old Co upgrades mid-period: the prorated charge the preview shows is
    // the invoice Stripe makes and charges, line by line and to the cent.
    const shown = await upgradeToBusiness(back, 'oldco');
    const change = (await h.stripe.invoices.list({ customer: customers.get('oldco')!, limit: 20 })).data.find(
      (i) => i.billing_reason === 'subscription_update',
    );
    expect(change).toMatchObject({ status: 'paid' });
    expect(change!.amount_due).toBeGreaterThan(0);
    expect(shown.summary).toBe(
      `You will be charged ${money(change!.amount_due)} now, prorated for the rest of the current period. The new plan starts immediately.`,
    );
    expect(shown.lines).toEqual(change!.lines.data.map((l) => money(l.amount)));
    const next = await nextInvoice('oldco', (await subscriptionOf('oldco')).id);
    expect(shown.next).toBe(`Your next invoice will total ${money(next.total)}.`);
    // Tollgate's invoice list (what the page's table shows) has the same invoice and amounts.
    await eventually(
      async () =>
        (await h.api('GET', '/v1/billing/invoices', owner)).body.data.find(
          (i: { id: string; total: number; amountPaid: number }) =>
            i.id === change!.id && i.total === change!.total && i.amountPaid === change!.amount_due,
        ),
      { timeoutMs: 30_000, what: 'the upgrade invoice in GET /v1/billing/invoices' },
    );
    // The page loaded its invoices once Stripe confirmed the change (its first poll, 0.5 s after the command),
    // which may be before the invoice's webhooks reached billing: load the page again to see the list now.
    await back.reload();
    await back.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await waitForText(back, '#invoices-rows', money(change!.total));
  });

  it('an Acme Corp member sees plan, status and renewal only, with no controls', async () => {
    const page = await signIn('acme', 'member');
    expect(await textOf(page, '#plan')).toBe('Business');
    expect(await textOf(page, '#status')).toBe('Active');
    expect(await textOf(page, '#renewal')).toMatch(/\d{4}$/);
    expect(await page.locator('#actions, #invoices, #audit, #seats, #payment-method, #members').count()).toBe(
      0,
    );
    expect(await page.locator('button:visible').allTextContents()).toEqual(['Sign out']);
    expect(await page.locator('input, select').count()).toBe(0);
    // The API agrees: a member reads the plan, nothing more, and changes nothing.
    const member = await token('acme', 'member');
    expect(Object.keys((await h.api('GET', '/v1/billing', member)).body).sort()).toEqual([
      'plan',
      'renewsAt',
      'status',
    ]);
    expect((await h.api('POST', '/v1/billing/cancel', member, { at: 'period_end' })).status).toBe(403);
    await screenshot(page, 'platform-acme-member');
  });
});
