import { Script } from 'node:vm';
import { SignJWT } from 'jose';
import { BILLING_PAGE_SCRIPT } from './assets/billing-page.client';
import { escapeHtml } from '@tollgate/html';
import { renderBillingPage, renderMessagePage, type BillingPageView } from './billing-page.html';
import { SESSION_MAX_AGE_SECONDS, sessionMaxAgeSeconds } from './session-cookie';

const view = (overrides: Partial<BillingPageView> = {}): BillingPageView => ({
  role: 'owner',
  userId: 'u-1',
  tenantId: 'acme',
  tenantName: 'Acme Corp',
  locale: 'en-US',
  timeZone: 'UTC',
  plans: [
    { id: 'pro', name: 'Pro' },
    { id: 'business', name: 'Business' },
  ],
  assets: { script: '/billing/assets/billing-page.js?v=1', styles: '/billing/assets/billing-page.css?v=1' },
  ...overrides,
});

describe('billing page rendering', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes tenant-provided strings wherever they appear, attributes included', () => {
    const html = renderBillingPage(
      view({ tenantName: '</h1><script>x()</script>', userId: '"><img src=x>', locale: '" onload="x' }),
    );
    expect(html).not.toContain('<script>x()');
    expect(html).not.toContain('<img src=x>');
    expect(html).not.toContain('" onload="x');
    expect(html).toContain('&lt;/h1&gt;&lt;script&gt;x()&lt;/script&gt;');
    expect(html).toContain('data-locale="&quot; onload=&quot;x"');
  });

  it('puts action controls in the owner and admin markup only', () => {
    for (const role of ['owner', 'admin'] as const)
      expect(renderBillingPage(view({ role }))).toContain('id="change-preview"');
    for (const role of ['support', 'member'] as const) {
      const html = renderBillingPage(view({ role }));
      for (const id of ['change-preview', 'cancel-open', 'resume-button', 'banner-fix', 'subscribe-submit'])
        expect(html).not.toContain(`id="${id}"`);
    }
    expect(renderBillingPage(view({ role: 'support' }))).toContain('id="audit-rows"');
    expect(renderBillingPage(view({ role: 'member' }))).not.toContain('id="audit-rows"');
  });

  it('gives every form control a label', () => {
    const html = renderBillingPage(view());
    const ids = [...html.matchAll(/<(?:select|input)[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    for (const id of ids.filter((id) => !id.startsWith('change-interval')))
      expect(html).toContain(`for="${id}"`);
    const radios = html.match(/<input type="radio"[^>]*>/g) ?? [];
    expect(radios.length).toBeGreaterThan(0);
    for (const radio of radios.filter((r) => !r.includes('id='))) expect(html).toContain(`<label>${radio}`);
  });

  it('renders a message page with no script and no tenant data', () => {
    const html = renderMessagePage('Sign in', 'Open <your> link', view().assets);
    expect(html).not.toContain('<script');
    expect(html).toContain('Open &lt;your&gt; link');
  });

  it('ships a browser script that parses as a classic script', () => {
    expect(() => new Script(BILLING_PAGE_SCRIPT)).not.toThrow();
  });
});

describe('session cookie lifetime', () => {
  const tokenExpiringAt = (exp: number) =>
    new SignJWT({ role: 'owner', tid: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode('k'.repeat(32)));

  it('ends with the token, is capped, and is zero for an expired token', async () => {
    const now = 1_800_000_000_000;
    expect(sessionMaxAgeSeconds(await tokenExpiringAt(now / 1000 + 300), now)).toBe(300);
    expect(sessionMaxAgeSeconds(await tokenExpiringAt(now / 1000 + 30 * 86400), now)).toBe(
      SESSION_MAX_AGE_SECONDS,
    );
    expect(sessionMaxAgeSeconds(await tokenExpiringAt(now / 1000 - 5), now)).toBe(0);
  });
});
