/**
 * Headless Chromium for the billing page's browser tests: Debian's `chromium` package (installed by
 * .ci/run, never downloaded by a test tool) driven by playwright-core. Each launch gets a fresh profile
 * directory, each test a fresh browser context (cookies); screenshots go to test-artifacts/browser/ (gitignored) for a human to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { eventually } from '../support/eventually';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'browser');
/** Default deadline for the page to show what it loads; generous, as CI runs two test files at once on two cores. */
const WAIT_MS = 30_000;

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** playwright-core gives every launch a fresh temporary profile (user-data-dir) and removes it on close. */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run 'apt-get install -y chromium' (.ci/run does) or set CHROMIUM_PATH.`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, close: () => browser.close() };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Opens the billing page's sign-in link (`/billing?token=`, as `npm start` prints it) in a new tab, and waits
 * for the page to have loaded its data. Answers the page and the script errors and console errors it logged
 * while loading (a test expects none).
 */
export async function openBillingPage(
  context: BrowserContext,
  gatewayUrl: string,
  token: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${gatewayUrl}/billing?token=${token}`);
  if (page.url() !== `${gatewayUrl}/billing`) errors.push(`signed in at ${page.url()}`);
  // Loading crosses processes (gateway, NATS, billing): a loaded CI machine gets a generous deadline.
  await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT_MS });
  return { page, errors };
}

/**
 * Runs a JavaScript expression in the page. In-page code is written as strings: the repository compiles
 * without the DOM library, so functions that touch `document` would not type-check here.
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/** The id of the focused element ('' when none). */
export function focusedId(page: Page): Promise<string> {
  return inPage(page, '(document.activeElement && document.activeElement.id) || ""');
}

/** Text of an element, trimmed, or null when it is absent. */
export async function textOf(page: Page, selector: string): Promise<string | null> {
  const locator = page.locator(selector);
  if ((await locator.count()) === 0) return null;
  return ((await locator.first().textContent()) ?? '').trim();
}

/**
 * Waits until `selector` matches exactly `expected` elements: lists (invoices, audit, members) are fetched
 * after the page shows the plan, so a count read at once would race them.
 */
export async function waitForCount(page: Page, selector: string, expected: number, timeoutMs = WAIT_MS) {
  let last = -1;
  await eventually(
    async () => {
      last = await page.locator(selector).count();
      return last === expected;
    },
    { timeoutMs, intervalMs: 50, what: `${selector} to match ${expected} elements` },
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last count: ${last})`);
  });
}

/**
 * Waits until the element's text contains `expected` (the page updates itself; no reloads, no sleeps).
 * Polled from here: page.waitForFunction would eval in the page, which the page's CSP rightly forbids.
 */
export async function waitForText(page: Page, selector: string, expected: string, timeoutMs = WAIT_MS) {
  let last: string | null = null;
  await eventually(
    async () => {
      last = await textOf(page, selector);
      return last?.includes(expected) ?? false;
    },
    { timeoutMs, intervalMs: 50, what: `${selector} to contain "${expected}"` },
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last text: ${JSON.stringify(last)})`);
  });
}

/** What an element said at one moment, with the facts the test asked to read at that same moment. */
export interface RecordedText<T> {
  text: string;
  facts: T;
}

export interface TextRecording<T> {
  /** Waits until the element has said `expected` (at any moment since the recording started); answers that moment. */
  waitFor(expected: string, timeoutMs?: number): Promise<RecordedText<T>>;
}

let recordings = 0;

/**
 * Records, from now on, every text the element at `selector` shows, each with `facts` (an in-page expression)
 * evaluated at that moment. For states the page shows only briefly: on the real platform Stripe confirms at
 * once, so "Waiting for Stripe to confirm" lasts only until the page's first poll half a second later, and
 * a poll from here (or a second read of another element) can come too late. A MutationObserver sees every
 * change, after the page's script has finished the update, so the facts are those the page showed with the text.
 */
export async function recordText<T = null>(
  page: Page,
  selector: string,
  facts = 'null',
): Promise<TextRecording<T>> {
  const key = `r${++recordings}`;
  const installed = await inPage<boolean>(
    page,
    `(() => {
      const node = document.querySelector(${JSON.stringify(selector)});
      if (!node) return false;
      const log = ((window.__tollgateRecordings = window.__tollgateRecordings || {})[${JSON.stringify(key)}] = []);
      new MutationObserver(() => log.push({ text: (node.textContent || '').trim(), facts: (${facts}) })).observe(node, {
        childList: true,
        characterData: true,
        subtree: true,
      });
      return true;
    })()`,
  );
  if (!installed) throw new Error(`recordText: no element matches ${selector}`);
  return {
    waitFor: async (expected, timeoutMs = WAIT_MS) => {
      let seen: RecordedText<T>[] = [];
      return eventually(
        async () => {
          seen = await inPage<RecordedText<T>[]>(page, `window.__tollgateRecordings[${JSON.stringify(key)}]`);
          return seen.find((entry) => entry.text.includes(expected));
        },
        { timeoutMs, intervalMs: 50, what: `${selector} to say "${expected}"` },
      ).catch((error: Error) => {
        throw new Error(`${error.message} (it said: ${JSON.stringify(seen.map((entry) => entry.text))})`);
      });
    },
  };
}

/** An in-page expression: whether the element with this id is visible (as Playwright's isVisible has it). */
export function isVisibleExpression(id: string): string {
  return `((el) => !!el && el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden')(document.getElementById(${JSON.stringify(id)}))`;
}

const LOW_CONTRAST = String.raw`(() => {
  const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  const luminance = (rgb) => 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const rgba = parse(getComputedStyle(node).backgroundColor);
      if (rgba.length === 3 || (rgba.length === 4 && rgba[3] > 0)) return rgba;
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent || '')
      .join('')
      .trim();
    if (!own || el.getClientRects().length === 0 || el.closest('.skip-link')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const fg = luminance(parse(style.color));
    const bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) failures.push(el.tagName.toLowerCase() + '#' + el.id + ' "' + own + '": ' + ratio.toFixed(2));
  }
  return failures;
})()`;

/**
 * Visible text whose colour contrast against its effective background is under 4.5:1 (WCAG AA for body
 * text). Backgrounds are found by walking up to the first non-transparent ancestor.
 */
export function lowContrastText(page: Page): Promise<string[]> {
  return inPage(page, LOW_CONTRAST);
}

const UNLABELLED = String.raw`Array.from(document.querySelectorAll('input, select, textarea, button, a[href]'))
  .filter((el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return el.labels.length === 0;
    return (el.textContent || '').trim().length === 0;
  })
  .map((el) => el.outerHTML.slice(0, 120))`;

/** Form controls, buttons and links without an accessible name (a label, aria-label(ledby) or text). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return inPage(page, UNLABELLED);
}
