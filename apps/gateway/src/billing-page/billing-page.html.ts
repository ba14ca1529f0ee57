/**
 * The billing page's HTML, rendered on the server per role: owners and admins get the actions, support
 * gets every section read-only, members get plan, status and renewal only. The sections a role may not
 * use are not in the markup at all (the browser script fills sections, it never creates controls), and the
 * API enforces the same matrix. Every tenant-provided string goes through escapeHtml; the data itself is
 * filled in by the script with textContent.
 */
import type { Role } from '@tollgate/contracts';
import { escapeHtml } from '@tollgate/html';

export interface PageAssets {
  script: string;
  styles: string;
}

export interface PlanChoice {
  id: string;
  name: string;
}

export interface BillingPageView {
  role: Exclude<Role, 'operator'>;
  userId: string;
  tenantId: string;
  tenantName: string;
  locale: string | null;
  timeZone: string | null;
  plans: PlanChoice[];
  assets: PageAssets;
}

type Html = { readonly html: string };
const raw = (html: string): Html => ({ html });

/** A tagged template that escapes every interpolated value unless it is already Html (or an array of it). */
function h(strings: TemplateStringsArray, ...values: (string | number | Html | Html[] | null)[]): Html {
  let out = strings[0];
  values.forEach((value, i) => {
    if (value === null) out += '';
    else if (Array.isArray(value)) out += value.map((v) => v.html).join('');
    else if (typeof value === 'object') out += value.html;
    else out += escapeHtml(String(value));
    out += strings[i + 1];
  });
  return raw(out);
}

const ROLE_LABEL: Record<BillingPageView['role'], string> = {
  owner: 'Account owner',
  admin: 'Billing admin',
  support: 'Support (read-only)',
  member: 'Member (read-only)',
};

function documentShell(title: string, assets: PageAssets, bodyAttrs: Html, content: Html): string {
  return `<!doctype html>${
    h`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<link rel="stylesheet" href="${assets.styles}">
</head>
<body ${bodyAttrs}>
<a class="skip-link" href="#main">Skip to content</a>
${content}
</body>
</html>
`.html
  }`;
}

function planOptions(plans: PlanChoice[]): Html[] {
  return plans.map((p) => h`<option value="${p.id}">${p.name}</option>`);
}

/** A plan picker and its interval radios; `prefix` names them (`change-plan`, `change-interval`). */
function planFields(prefix: string, plans: PlanChoice[]): Html {
  return h`<div class="field">
      <label for="${prefix}-plan">Plan</label>
      <select id="${prefix}-plan" name="plan">${planOptions(plans)}</select>
    </div>
    <fieldset class="inline">
      <legend>Billing interval</legend>
      <label><input type="radio" name="${prefix}-interval" value="month" checked> Monthly</label>
      <label><input type="radio" name="${prefix}-interval" value="year"> Yearly</label>
    </fieldset>`;
}

function summarySection(role: BillingPageView['role']): Html {
  const full = role !== 'member';
  return h`<section aria-labelledby="summary-title" class="card" id="summary">
  <h2 id="summary-title">Your plan <span id="pending-badge" class="badge pending" hidden>Waiting for Stripe</span></h2>
  <dl class="facts">
    <div><dt>Plan</dt><dd id="plan">Loading…</dd></div>
    ${full ? h`<div><dt>Billing interval</dt><dd id="interval">—</dd></div>` : null}
    <div><dt>Status</dt><dd id="status">—</dd></div>
    <div><dt id="renewal-label">Renews on</dt><dd id="renewal">—</dd></div>
    ${
      full
        ? h`<div id="trial-row" hidden><dt>Trial</dt><dd id="trial-left">—</dd></div>
    <div><dt>Seats</dt><dd id="seats">—</dd></div>
    <div><dt>Payment method</dt><dd id="payment-method">—</dd></div>
    <div id="pending-change-row" hidden><dt>Scheduled change</dt><dd id="pending-change">—</dd></div>`
        : null
    }
  </dl>
  ${
    full
      ? null
      : h`<p class="note">Invoices, payment details and plan changes are handled by your account owner.</p>`
  }
</section>`;
}

function bannerSection(role: BillingPageView['role']): Html {
  const canFix = role === 'owner' || role === 'admin';
  return h`<section id="banner" class="banner" aria-labelledby="banner-title" hidden>
  <h2 id="banner-title">Payment problem</h2>
  <p id="banner-text"></p>
  ${
    canFix
      ? h`<button type="button" id="banner-fix" class="primary">Fix payment method</button>`
      : h`<p class="note">${role === 'member' ? 'Your account owner has been told.' : 'Only the account owner or a billing admin can update the payment method.'}</p>`
  }
</section>`;
}

function actionsSection(plans: PlanChoice[]): Html {
  return h`<section aria-labelledby="actions-title" class="card" id="actions">
  <h2 id="actions-title">Change your subscription</h2>

  <form id="change-form" class="stack" hidden novalidate>
    <h3>Upgrade or downgrade</h3>
    ${planFields('change', plans)}
    <p id="change-price" class="note" aria-live="polite"></p>
    <p class="note">Upgrades start now and the prorated difference is charged today. Downgrades start at the end of the current period, with unused time credited.</p>
    <button type="submit" id="change-preview" class="primary">Preview change</button>
  </form>

  <form id="subscribe-form" class="stack" hidden novalidate>
    <h3>Choose a plan</h3>
    ${planFields('subscribe', plans)}
    <button type="submit" id="subscribe-submit" class="primary">Continue to payment</button>
  </form>

  <form id="cancel-form" class="stack" hidden novalidate>
    <h3>Cancel</h3>
    <fieldset>
      <legend>When should the subscription end?</legend>
      <div class="choice">
        <input type="radio" id="cancel-at-period-end" name="cancel-at" value="period_end" checked aria-describedby="cancel-period-end-desc">
        <div><label for="cancel-at-period-end">At the end of the billing period</label>
        <p class="note" id="cancel-period-end-desc">You keep your plan until the period ends, then move to Free. Nothing more is charged.</p></div>
      </div>
      <div class="choice">
        <input type="radio" id="cancel-at-now" name="cancel-at" value="now" aria-describedby="cancel-now-desc">
        <div><label for="cancel-at-now">Now</label>
        <p class="note" id="cancel-now-desc">Your account moves to Free immediately. There is no refund for the rest of the period.</p></div>
      </div>
    </fieldset>
    <button type="submit" id="cancel-open" class="danger">Cancel subscription…</button>
  </form>

  <div id="resume-section" class="stack" hidden>
    <h3>Cancellation scheduled</h3>
    <p id="resume-text">Your subscription ends at the end of this period.</p>
    <button type="button" id="resume-button" class="primary">Keep my subscription</button>
  </div>
</section>

<dialog id="preview-dialog" aria-labelledby="preview-title" aria-describedby="preview-summary">
  <h2 id="preview-title">Confirm the change</h2>
  <p id="preview-summary"></p>
  <div class="table-wrap" tabindex="0" role="region" aria-label="Proration lines">
    <table class="stacked">
      <caption>What Stripe will charge or credit</caption>
      <thead><tr><th scope="col">Item</th><th scope="col" class="num">Amount</th></tr></thead>
      <tbody id="preview-lines"></tbody>
    </table>
  </div>
  <p id="preview-next"></p>
  <div class="buttons">
    <button type="button" id="preview-confirm" class="primary">Confirm change</button>
    <button type="button" id="preview-back" autofocus>Back</button>
  </div>
</dialog>

<dialog id="cancel-dialog" aria-labelledby="cancel-dialog-title" aria-describedby="cancel-dialog-text">
  <h2 id="cancel-dialog-title">Cancel your subscription?</h2>
  <p id="cancel-dialog-text"></p>
  <div class="buttons">
    <button type="button" id="cancel-confirm" class="danger">Yes, cancel</button>
    <button type="button" id="cancel-back" autofocus>Keep my subscription</button>
  </div>
</dialog>`;
}

function listSection(id: string, title: string, headers: string[], empty: string): Html {
  return h`<section aria-labelledby="${id}-title" class="card" id="${id}">
  <h2 id="${id}-title">${title}</h2>
  <div class="table-wrap" tabindex="0" role="region" aria-labelledby="${id}-title">
    <table class="stacked">
      <thead><tr>${headers.map((x) => h`<th scope="col">${x}</th>`)}</tr></thead>
      <tbody id="${id}-rows"></tbody>
    </table>
  </div>
  <p id="${id}-empty" class="note" hidden>${empty}</p>
  <button type="button" id="${id}-more" hidden>Show more</button>
</section>`;
}

function membersSection(): Html {
  return h`<section aria-labelledby="members-title" class="card" id="members">
  <h2 id="members-title">Seat holders</h2>
  <ul id="members-list" class="plain"></ul>
  <p id="members-empty" class="note" hidden>No members yet.</p>
</section>`;
}

export function renderBillingPage(view: BillingPageView): string {
  const canWrite = view.role === 'owner' || view.role === 'admin';
  const readsAll = view.role !== 'member';
  const bodyAttrs = h`data-role="${view.role}" data-locale="${view.locale ?? ''}" data-time-zone="${view.timeZone ?? ''}"`;
  const content = h`<header class="top">
  <div>
    <p class="eyebrow">Billing</p>
    <h1 id="tenant-name">${view.tenantName}</h1>
  </div>
  <div class="who">
    <p>Signed in as <strong>${view.userId}</strong> · <span id="role">${ROLE_LABEL[view.role]}</span></p>
    <button type="button" id="sign-out" class="link">Sign out</button>
  </div>
</header>
<main id="main">
  <p id="sync-status" class="sync" role="status" aria-live="polite"></p>
  <div id="error" class="error" role="alert" hidden></div>
  <noscript><p class="error">This page needs JavaScript to load your billing details.</p></noscript>
  ${bannerSection(view.role)}
  ${summarySection(view.role)}
  ${canWrite ? actionsSection(view.plans) : null}
  ${canWrite ? membersSection() : null}
  ${readsAll ? listSection('invoices', 'Invoices', ['Invoice', 'Date', 'Amount', 'Status', 'PDF'], 'No invoices yet.') : null}
  ${readsAll ? listSection('audit', 'Billing audit log', ['When', 'Who', 'What'], 'No billing changes recorded yet.') : null}
</main>
<script src="${view.assets.script}" defer></script>`;
  return documentShell(`Billing · ${view.tenantName}`, view.assets, bodyAttrs, content);
}

/** A page without tenant data: signed out, bad link, wrong kind of account. */
export function renderMessagePage(title: string, message: string, assets: PageAssets): string {
  const content = h`<main id="main" class="message">
  <h1>${title}</h1>
  <p>${message}</p>
</main>`;
  return documentShell(title, assets, raw('data-role=""'), content);
}
