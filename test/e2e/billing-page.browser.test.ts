/**
 * The billing page in headless Chromium: the real gateway in-process (real Postgres and NATS) and a fake
 * billing service with the demo tenants of seed 004 whose state changes a moment after each command, the
 * way a Stripe webhook lands after the API call. Signs in through the ?token= link as the owner of each
 * demo tenant, upgrades through the proration preview, cancels and resumes, follows the dunning banner to
 * the portal, and checks the read-only views, keyboard use, contrast and a phone-width layout.
 * Screenshots: test-artifacts/browser/.
 */
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
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
import { gatewayDefinition } from '../../apps/gateway/src/gateway.definition';
import {
  focusedId,
  inPage,
  isVisibleExpression,
  launchChromium,
  lowContrastText,
  openBillingPage,
  recordText,
  screenshot,
  textOf,
  unlabelledControls,
  waitForCount,
  waitForText,
  type TestBrowser,
} from '../browser/chromium';
import { HOSTILE_INVOICE_NUMBER, startFakeBilling, type FakeBilling } from '../browser/fake-billing';

jest.setTimeout(60_000);

const CONFIRM_DELAY_MS = 2000;
const PHONE = { width: 375, height: 740 };

describe('billing page in Chromium (in-process gateway, fake billing with delayed confirmations)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let bus: NatsBus;
  let billing: FakeBilling;
  let chromium: TestBrowser;
  let gateway: string;
  let context: BrowserContext;

  beforeAll(async () => {
    const namespace = testNamespace();
    db = await createTestDatabase();
    bus = await connectTestBus(namespace, 'fake-billing');
    billing = await startFakeBilling(bus, { confirmDelayMs: CONFIRM_DELAY_MS });
    app = await runService(gatewayDefinition, {
      port: 0,
      env: {
        DATABASE_URL: db.url,
        NATS_NAMESPACE: namespace,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'silent',
      },
    });
    gateway = `http://127.0.0.1:${(app.getHttpServer() as { address(): AddressInfo }).address().port}`;
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await billing?.close();
    await bus?.close(500);
    await db?.drop();
  });

  beforeEach(async () => {
    billing.reset();
    context = await chromium.browser.newContext({ viewport: { width: 1100, height: 900 } });
  });

  afterEach(async () => {
    await context?.close();
  });

  /** Opens the sign-in link the way `npm start` prints it, and waits for the page to load its data. */
  const signIn = async (tenantId: string, role: 'owner' | 'member' | 'support' = 'owner'): Promise<Page> => {
    const token = await signToken({ sub: `${tenantId}-${role}`, role, tid: tenantId });
    const { page, errors } = await openBillingPage(context, gateway, token);
    expect(errors).toEqual([]);
    return page;
  };

  it('Acme Corp owner: Business yearly, 20 of 25 seats, Visa 4242, invoices with PDF links, audit log', async () => {
    const page = await signIn('acme');
    expect(await textOf(page, '#tenant-name')).toBe('Acme Corp');
    expect(await textOf(page, '#plan')).toBe('Business');
    expect(await textOf(page, '#interval')).toBe('Yearly');
    expect(await textOf(page, '#status')).toBe('Active');
    expect(await textOf(page, '#renewal-label')).toBe('Renews on');
    expect(await textOf(page, '#renewal')).toMatch(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/);
    expect(await textOf(page, '#seats')).toBe('20 of 25 used');
    expect(await textOf(page, '#payment-method')).toBe('Visa ending in 4242');
    expect(await page.locator('#banner').isVisible()).toBe(false);
    expect(await page.locator('#trial-row').isVisible()).toBe(false);

    const rows = page.locator('#invoices-rows tr');
    await waitForCount(page, '#invoices-rows tr', 2);
    expect(await rows.nth(0).locator('td').nth(0).textContent()).toBe(HOSTILE_INVOICE_NUMBER);
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('$990.00');
    expect(await inPage(page, 'typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('#invoices img').count()).toBe(0);
    const pdf = rows.nth(1).getByRole('link', { name: /Invoice ACME-0001 as PDF/ });
    expect(await pdf.getAttribute('href')).toBe('/v1/billing/invoices/in_acme_1/pdf');
    const download = await context.request.get(`${gateway}/v1/billing/invoices/in_acme_1/pdf`, {
      maxRedirects: 0,
    });
    expect(download.status()).toBe(302);
    expect(download.headers().location).toBe(billing.pdfUrl('in_acme_1'));

    await waitForCount(page, '#audit-rows tr', 2);
    expect(await textOf(page, '#audit-rows tr:first-child td:nth-child(2)')).toBe('Stripe');
    expect(await textOf(page, '#audit-rows tr:first-child td:nth-child(3)')).toContain(
      'subscription plan changed',
    );
    await waitForCount(page, '#members-list li', 20);
    await screenshot(page, 'acme-owner');
  });

  it('Startup Inc owner: trial days left, then an upgrade through the preview, pending until Stripe confirms', async () => {
    const page = await signIn('startup');
    expect(await textOf(page, '#plan')).toBe('Pro');
    expect(await textOf(page, '#status')).toBe('Free trial');
    expect(await textOf(page, '#trial-left')).toMatch(/^3 days left \(ends .+\)$/);
    expect(await textOf(page, '#payment-method')).toBe('None on file');
    expect(await textOf(page, '#banner-title')).toBe('Add a payment method before your trial ends');

    await page.locator('#change-form').getByLabel('Plan').selectOption('business');
    expect(await textOf(page, '#change-price')).toBe('Business: $99.00 per month, before proration.');
    await page.getByRole('button', { name: 'Preview change' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upgrade to Business (monthly)' });
    await dialog.waitFor();
    expect(await textOf(page, '#preview-summary')).toBe(
      'You will be charged $45.67 now, prorated for the rest of the current period. The new plan starts immediately.',
    );
    await waitForCount(page, '#preview-lines tr', 2);
    expect(await textOf(page, '#preview-lines tr:first-child td.num')).toBe('-$19.33');
    expect(await textOf(page, '#preview-next')).toBe('Your next invoice will total $99.00.');
    expect(billing.calls).toEqual([]);
    await screenshot(page, 'startup-upgrade-preview');

    // A double click on confirm is one change, with one Idempotency-Key. What the page shows while it waits is
    // recorded in the page, read with the status text: Stripe's confirmation may land before reads from here.
    const sync = await recordText<{ badge: boolean; plan: string; previewDisabled: boolean }>(
      page,
      '#sync-status',
      `({ badge: ${isVisibleExpression('pending-badge')}, plan: document.getElementById('plan').textContent.trim(), previewDisabled: document.getElementById('change-preview').disabled })`,
    );
    await page.getByRole('button', { name: 'Confirm change' }).dblclick();
    const pending = await sync.waitFor('Waiting for Stripe to confirm: change to Business (monthly)');
    expect(pending.facts).toEqual({ badge: true, plan: 'Pro', previewDisabled: true });
    await screenshot(page, 'startup-upgrade-pending');

    await waitForText(page, '#plan', 'Business', CONFIRM_DELAY_MS + 8000);
    await waitForText(page, '#sync-status', 'Stripe confirmed');
    expect(await page.locator('#pending-badge').isVisible()).toBe(false);
    expect(await textOf(page, '#seats')).toBe('1 of 25 used');
    expect(await page.getByRole('button', { name: 'Preview change' }).isDisabled()).toBe(false);
    const changes = billing.calls.filter((c) => c.subject === 'change');
    expect(changes).toHaveLength(1);
    expect(changes[0].idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    await waitForText(page, '#audit-rows', 'subscription plan changed');
    await screenshot(page, 'startup-upgrade-confirmed');
  });

  it('Acme Corp owner: cancel at period end from the keyboard, with the consequences spelled out, then resume', async () => {
    const page = await signIn('acme');
    const renewal = await textOf(page, '#renewal');

    // The "now" option explains itself before anything is sent; Escape backs out.
    await page.getByLabel('Now', { exact: true }).check();
    await page.getByRole('button', { name: 'Cancel subscription…' }).click();
    await page.getByRole('dialog', { name: 'Cancel your subscription?' }).waitFor();
    expect(await textOf(page, '#cancel-dialog-text')).toBe(
      `Your Business subscription ends now and the account moves to the Free plan immediately. Features beyond Free stop at once, and there is no refund for the time left until ${renewal}.`,
    );
    expect(await focusedId(page)).toBe('cancel-back');
    await page.keyboard.press('Escape');
    expect(await inPage(page, "document.getElementById('cancel-dialog').open")).toBe(false);
    expect(billing.calls).toEqual([]);

    // Keyboard only: reach the button with Tab (focus visible), open with Enter, confirm with Shift+Tab, Enter.
    await page.getByLabel('At the end of the billing period').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('cancel-open');
    expect(await inPage(page, 'getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Cancel your subscription?' }).waitFor();
    expect(await textOf(page, '#cancel-dialog-text')).toBe(
      `Your Business subscription stays active until ${renewal}. Then the account moves to the Free plan and nothing more is charged. You can keep the subscription any time before then.`,
    );
    await screenshot(page, 'acme-cancel-dialog');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('cancel-confirm');
    const cancelSync = await recordText<string>(
      page,
      '#sync-status',
      "document.getElementById('status').textContent.trim()",
    );
    await page.keyboard.press('Enter');

    const cancelPending = await cancelSync.waitFor(
      'Waiting for Stripe to confirm: cancel at the end of the period',
    );
    expect(cancelPending.facts).toBe('Active');
    await waitForText(page, '#status', 'Cancels at period end', CONFIRM_DELAY_MS + 8000);
    expect(await textOf(page, '#renewal-label')).toBe('Ends on');
    expect(await textOf(page, '#renewal')).toBe(renewal);
    expect(await page.locator('#cancel-form').isVisible()).toBe(false);
    expect(await page.locator('#change-form').isVisible()).toBe(false);
    expect(await textOf(page, '#resume-text')).toContain(`ends on ${renewal}`);
    await screenshot(page, 'acme-cancel-pending');

    const resumeSync = await recordText(page, '#sync-status');
    await page.getByRole('button', { name: 'Keep my subscription' }).click();
    await resumeSync.waitFor('Waiting for Stripe to confirm: keep the subscription');
    await waitForText(page, '#status', 'Active', CONFIRM_DELAY_MS + 8000);
    await waitForText(page, '#sync-status', 'Stripe confirmed: the subscription continues.');
    expect(await textOf(page, '#renewal-label')).toBe('Renews on');
    expect(await page.locator('#resume-section').isVisible()).toBe(false);
    expect(await page.locator('#cancel-form').isVisible()).toBe(true);
    expect(billing.calls.map((c) => c.subject)).toEqual(['cancel', 'resume']);
    await screenshot(page, 'acme-resumed');
  });

  it('Old Co owner: the dunning banner says what failed and its button leads to the Stripe portal', async () => {
    const page = await signIn('oldco');
    expect(await textOf(page, '#status')).toBe('Payment past due');
    expect(await textOf(page, '#payment-method')).toBe('Mastercard ending in 0341');
    const banner = page.getByRole('region', { name: 'Your last payment failed' });
    expect(await banner.isVisible()).toBe(true);
    expect(await textOf(page, '#banner-text')).toMatch(
      /^We could not charge your payment method on .+\. We will try again on .+\. Update the payment method/,
    );
    await waitForCount(page, '#invoices-rows tr', 1);
    expect(await textOf(page, '#invoices-rows tr td:nth-child(4)')).toBe('Due');
    await screenshot(page, 'oldco-dunning-banner');
    await Promise.all([
      page.waitForURL(billing.portalUrl('oldco')),
      banner.getByRole('button', { name: 'Fix payment method' }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Stripe customer portal (test)');
    expect(billing.calls).toEqual([{ subject: 'portal', tenantId: 'oldco' }]);
  });

  it('Old Co owner: once the retry date has passed, the banner does not promise it again', async () => {
    const state = billing.state('oldco');
    billing.patchState('oldco', {
      dunning: { ...state.dunning, nextRetryAt: new Date(Date.now() - 60_000).toISOString() },
    });
    const page = await signIn('oldco');
    await waitForText(page, '#banner-title', 'Your last payment failed');
    const text = await textOf(page, '#banner-text');
    expect(text).toMatch(/^We could not charge your payment method on .+\. We are trying again now\. Update/);
    expect(text).not.toMatch(/try again on/);
  });

  it('a member sees plan, status and renewal read-only, on a phone', async () => {
    await context.close();
    context = await chromium.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await signIn('acme', 'member');
    expect(await textOf(page, '#plan')).toBe('Business');
    expect(await textOf(page, '#status')).toBe('Active');
    expect(await textOf(page, '#renewal')).toMatch(/\d{4}$/);
    expect(await page.locator('#actions, #invoices, #audit, #seats, #payment-method').count()).toBe(0);
    expect(await page.locator('button:visible').allTextContents()).toEqual(['Sign out']);
    expect(await page.locator('input, select').count()).toBe(0);
    expect(await inPage(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'acme-member-phone');
  });

  it('support sees the full state, invoices and audit log, with no action or portal buttons', async () => {
    const page = await signIn('oldco', 'support');
    expect(await textOf(page, '#payment-method')).toBe('Mastercard ending in 0341');
    expect(await page.locator('#banner').isVisible()).toBe(true);
    await waitForCount(page, '#invoices-rows tr', 1);
    await waitForCount(page, '#audit-rows tr', 1);
    expect(await page.locator('button:visible').allTextContents()).toEqual(['Sign out']);
    await screenshot(page, 'oldco-support');
  });

  it('is readable on a phone: no sideways scrolling, every control labelled, text contrast at least 4.5:1', async () => {
    await context.close();
    context = await chromium.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await signIn('oldco');
    // Layout, labels and contrast are checked on the whole page: the lists load after the plan.
    await waitForCount(page, '#invoices-rows tr', 1);
    await waitForCount(page, '#audit-rows tr', 1);
    await page.locator('#members-empty').waitFor();
    expect(await inPage(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    const overflowing = await inPage<string[]>(
      page,
      "Array.from(document.querySelectorAll('.table-wrap')).filter((w) => w.scrollWidth > w.clientWidth).map((w) => w.parentElement.id)",
    );
    expect(overflowing).toEqual([]);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await lowContrastText(page)).toEqual([]);
    await screenshot(page, 'oldco-owner-phone');
    await page.locator('#change-form').getByLabel('Plan').selectOption('business');
    await page.getByRole('button', { name: 'Preview change' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await lowContrastText(page)).toEqual([]);
    await screenshot(page, 'oldco-preview-phone');
  });

  it('keeps the token out of the address bar and signs out to a page without tenant data', async () => {
    const page = await signIn('startup');
    expect(await inPage(page, 'window.location.search')).toBe('');
    expect(
      (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite })),
    ).toEqual([{ name: 'tollgate_session', httpOnly: true, sameSite: 'Strict' }]);
    expect(await inPage(page, 'document.cookie')).toBe('');
    await Promise.all([
      page.waitForURL(`${gateway}/billing`),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await page.getByRole('heading', { name: 'Sign in to see billing' }).waitFor();
    expect(await page.content()).not.toContain('Startup Inc');
    expect(await context.cookies()).toEqual([]);
  });
});
