/**
 * The billing page's browser script: plain JavaScript, no framework, no build step. It is embedded as a
 * string so `npm run build` (plain tsc) carries it into dist/ and the Docker image; billing-page.client.spec
 * checks that it parses, and the browser tests run it in Chromium. It never uses template literals, so the
 * String.raw wrapper needs no escaping.
 *
 * What it does: loads the state from the JSON API with the session cookie, fills the sections the server
 * rendered for this role (it never creates controls the role may not use), formats money (integer minor
 * units) and dates with Intl, and runs the actions. Every write sends X-Tollgate-CSRF and one Idempotency-Key
 * per user action (a double click replays, it does not repeat). After a write the page says Stripe's
 * confirmation is pending (aria-live) and polls GET /v1/billing until the expected state has arrived with a
 * newer syncedAt (the webhook has landed), then shows it; the polling is bounded.
 */
export const BILLING_PAGE_SCRIPT = String.raw`(function () {
  'use strict';

  var POLL_FIRST_MS = 500;
  var POLL_MS = 1500;
  var POLL_LIMIT = 40;
  var LIVE = ['trialing', 'active', 'past_due'];
  var ENDED = ['none', 'expired', 'canceled'];
  var STATUS = {
    none: 'No subscription',
    trialing: 'Free trial',
    active: 'Active',
    past_due: 'Payment past due',
    suspended: 'Suspended (read-only)',
    canceled_pending: 'Cancels at period end',
    expired: 'Expired',
    canceled: 'Canceled',
  };
  var INTERVAL = { month: 'Monthly', year: 'Yearly' };
  var INTERVAL_NOUN = { month: 'month', year: 'year' };
  var INVOICE_STATUS = { paid: 'Paid', open: 'Due', draft: 'Draft', void: 'Void', uncollectible: 'Uncollectible' };

  var body = document.body;
  var role = body.dataset.role;
  var canWrite = role === 'owner' || role === 'admin';
  var readsAll = canWrite || role === 'support';

  function safeLocale(value) {
    if (!value) return undefined;
    try {
      new Intl.NumberFormat(value);
      return value;
    } catch (e) {
      return undefined;
    }
  }
  function safeZone(value) {
    if (!value) return undefined;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return value;
    } catch (e) {
      return undefined;
    }
  }
  var locale = safeLocale(body.dataset.locale);
  var timeZone = safeZone(body.dataset.timeZone);
  var dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: timeZone });
  var dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: timeZone });

  var current = null;
  var catalog = null;
  var inFlight = false;
  var formTouched = false;
  var changeAction = null;
  var cancelAction = null;
  var invoiceCursor = null;
  var auditCursor = null;

  function $(id) {
    return document.getElementById(id);
  }
  function setText(id, text) {
    var node = $(id);
    if (node) node.textContent = text;
  }
  function show(id, visible) {
    var node = $(id);
    if (node) node.hidden = !visible;
  }
  function on(id, type, handler) {
    var node = $(id);
    if (node) node.addEventListener(type, handler);
  }
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }
  function checked(name) {
    var input = document.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : null;
  }
  function setChecked(name, value) {
    var input = document.querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (input) input.checked = true;
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function' && window.isSecureContext)
      return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function money(minor, currency) {
    var format = new Intl.NumberFormat(locale, { style: 'currency', currency: String(currency || 'usd').toUpperCase() });
    var digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(minor / Math.pow(10, digits));
  }
  function date(iso) {
    return iso ? dateFormat.format(new Date(iso)) : '—';
  }
  function dateTime(iso) {
    return iso ? dateTimeFormat.format(new Date(iso)) : '—';
  }
  function planName(id) {
    var plan = catalog && catalog.plans.find(function (p) { return p.id === id; });
    if (plan) return plan.name;
    return id ? id.charAt(0).toUpperCase() + id.slice(1) : '—';
  }
  function planLabel(plan, interval) {
    return planName(plan) + (interval ? ' (' + INTERVAL[interval].toLowerCase() + ')' : '');
  }
  function brandName(brand) {
    var names = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover' };
    return names[brand] || (brand ? brand.charAt(0).toUpperCase() + brand.slice(1) : 'Card');
  }

  function ApiError(message, status, code) {
    this.message = message;
    this.status = status;
    this.code = code;
  }

  async function api(method, path, payload, idempotencyKey) {
    var headers = { accept: 'application/json' };
    if (method !== 'GET') {
      headers['x-tollgate-csrf'] = '1';
      headers['content-type'] = 'application/json';
    }
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    var res;
    try {
      res = await fetch(path, {
        method: method,
        headers: headers,
        body: method === 'GET' ? undefined : JSON.stringify(payload || {}),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError('Could not reach the server. Check your connection and try again.', 0, 'network');
    }
    var text = await res.text();
    var data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      if (res.status === 401)
        throw new ApiError('Your session has ended. Open your billing link again to sign in.', 401, 'unauthenticated');
      var error = data && data.error;
      throw new ApiError(error && error.message ? error.message : 'The request failed (HTTP ' + res.status + ').', res.status, error && error.code);
    }
    return data;
  }

  function showError(error) {
    var box = $('error');
    if (!box) return;
    box.textContent = typeof error === 'string' ? error : error.message || 'Something went wrong.';
    box.hidden = false;
  }
  function clearError() {
    show('error', false);
  }
  function setSync(text, kind) {
    var node = $('sync-status');
    node.textContent = text;
    node.className = 'sync' + (kind ? ' ' + kind : '');
    show('pending-badge', kind === 'pending');
    var summary = $('summary');
    if (summary) summary.setAttribute('aria-busy', kind === 'pending' ? 'true' : 'false');
  }
  function setBusy(busy) {
    document.querySelectorAll('#actions button, #banner-fix').forEach(function (b) {
      b.disabled = busy;
    });
  }

  function render(state) {
    current = state;
    setText('plan', planName(state.plan));
    setText('interval', state.interval ? INTERVAL[state.interval] : '—');
    setText('status', STATUS[state.status] || state.status);
    var ending = state.status === 'canceled_pending' || !!state.cancelAt;
    setText('renewal-label', ending ? 'Ends on' : 'Renews on');
    setText('renewal', ending ? date(state.cancelAt || state.renewsAt) : state.renewsAt ? date(state.renewsAt) : 'Does not renew');
    if (state.seats) {
      var total = state.seats.included + state.seats.purchased;
      setText('seats', state.seats.used + ' of ' + total + ' used' + (state.seats.purchased ? ' (' + state.seats.purchased + ' extra)' : ''));
    }
    if (state.paymentMethod !== undefined)
      setText('payment-method', state.paymentMethod ? brandName(state.paymentMethod.brand) + ' ending in ' + state.paymentMethod.last4 : 'None on file');
    var trial = state.status === 'trialing' && state.trialEndsAt;
    show('trial-row', !!trial);
    if (trial) {
      var days = Math.max(0, Math.ceil((Date.parse(state.trialEndsAt) - Date.now()) / 86400000));
      setText('trial-left', days + (days === 1 ? ' day' : ' days') + ' left (ends ' + date(state.trialEndsAt) + ')');
    }
    show('pending-change-row', !!state.pendingChange);
    if (state.pendingChange)
      setText('pending-change', planLabel(state.pendingChange.plan, state.pendingChange.interval) + ' from ' + date(state.pendingChange.effectiveAt));
    renderBanner(state);
    renderActions(state);
  }

  function renderBanner(state) {
    var banner = $('banner');
    if (!banner) return;
    var stage = state.dunning ? state.dunning.stage : 'none';
    var title = null;
    var text = '';
    var info = false;
    var fix = 'Fix payment method';
    if (state.status === 'suspended' || stage === 'suspended') {
      title = 'Your account is suspended';
      text = 'Payments failed and the grace period has ended, so the account is read-only: you can view and export data but not create or change anything. Paying the outstanding balance restores it at once.';
    } else if (state.status === 'past_due' || (stage !== 'none' && ENDED.indexOf(state.status) < 0)) {
      title = 'Your last payment failed';
      text = 'We could not charge your payment method' + (state.dunning && state.dunning.since ? ' on ' + date(state.dunning.since) : '') + '.';
      // Stripe's next attempt as last reported: once its time has passed, the attempt's outcome is on its way
      // (or Stripe runs it a little late), so a date in the past is not promised again.
      var retry = state.dunning && state.dunning.nextRetryAt;
      if (retry) text += Date.parse(retry) > Date.now() ? ' We will try again on ' + date(retry) + '.' : ' We are trying again now.';
      text += ' Update the payment method to keep your plan; 7 days after the first failure the account becomes read-only.';
    } else if (readsAll && state.status === 'trialing' && !state.paymentMethod && state.trialEndsAt) {
      info = true;
      fix = 'Add a payment method';
      title = 'Add a payment method before your trial ends';
      text = 'Your trial ends on ' + date(state.trialEndsAt) + '. Without a payment method the account moves to the Free plan then; your data stays.';
    }
    if (title && role === 'member' && !info) text = 'A payment for this account did not go through. Your account owner can fix it from this page.';
    banner.hidden = !title;
    banner.className = 'banner' + (info ? ' info' : '');
    if (!title) return;
    setText('banner-title', title);
    setText('banner-text', text);
    setText('banner-fix', fix);
  }

  function renderActions(state) {
    if (!canWrite) return;
    var live = LIVE.indexOf(state.status) >= 0 && !state.cancelAt;
    var endingSoon = state.status === 'canceled_pending' || (!!state.cancelAt && LIVE.indexOf(state.status) >= 0);
    show('change-form', live);
    show('subscribe-form', ENDED.indexOf(state.status) >= 0);
    show('cancel-form', live || state.status === 'suspended');
    show('resume-section', endingSoon);
    setText('cancel-period-end-desc', 'You keep ' + planName(state.plan) + ' until ' + date(state.renewsAt) + ', then move to Free. Nothing more is charged.');
    if (endingSoon)
      setText('resume-text', 'Your ' + planName(state.plan) + ' subscription ends on ' + date(state.cancelAt || state.renewsAt) + ', then the account moves to Free. Keep it to continue without interruption.');
    if (!formTouched && state.plan !== 'free' && $('change-plan')) {
      $('change-plan').value = state.plan;
      if (state.interval) setChecked('change-interval', state.interval);
    }
    updatePrice();
  }

  function priceOf(planId, interval) {
    var plan = catalog && catalog.plans.find(function (p) { return p.id === planId; });
    var price = plan && plan.prices.find(function (p) { return p.interval === interval; });
    return price ? money(price.amount, price.currency) + ' per ' + INTERVAL_NOUN[interval] : null;
  }
  function updatePrice() {
    if (!$('change-plan')) return;
    var price = priceOf($('change-plan').value, checked('change-interval'));
    setText('change-price', price ? planName($('change-plan').value) + ': ' + price + ', before proration.' : '');
  }

  async function refresh() {
    var state = await api('GET', '/v1/billing');
    render(state);
    return state;
  }

  async function waitForStripe(before, expect) {
    var latest = before;
    for (var i = 0; i < POLL_LIMIT; i++) {
      await sleep(i === 0 ? POLL_FIRST_MS : POLL_MS);
      try {
        latest = await api('GET', '/v1/billing');
      } catch (error) {
        if (error.status === 401) {
          showError(error);
          break;
        }
        continue;
      }
      if (expect(latest) && latest.syncedAt !== before.syncedAt) return { state: latest, confirmed: true };
    }
    return { state: latest, confirmed: false };
  }

  async function runAction(options) {
    if (inFlight) return;
    inFlight = true;
    clearError();
    setBusy(true);
    var before = current;
    try {
      await options.request();
    } catch (error) {
      if (options.dialog && options.dialog.open) options.dialog.close();
      inFlight = false;
      setBusy(false);
      showError(error);
      return;
    }
    if (options.dialog && options.dialog.open) options.dialog.close();
    setSync('Waiting for Stripe to confirm: ' + options.pending + '…', 'pending');
    var outcome = await waitForStripe(before, options.expect);
    render(outcome.state);
    if (outcome.confirmed) setSync('Stripe confirmed: ' + options.done, 'done');
    else setSync('Stripe has not confirmed yet. This page shows the last state Tollgate has; reload later to see the outcome.', 'pending');
    inFlight = false;
    formTouched = false;
    setBusy(false);
    renderActions(current);
    void loadInvoices(true);
    void loadAudit(true);
    void loadMembers();
  }

  function fillPreview(target, preview) {
    var kind = preview.kind;
    var label = planLabel(target.plan, target.interval);
    var title = kind === 'downgrade' ? 'Downgrade to ' + label : kind === 'interval_change' ? 'Switch to ' + label : 'Upgrade to ' + label;
    setText('preview-title', title);
    var summary;
    if (kind === 'downgrade') {
      summary = 'The change takes effect on ' + date(preview.effectiveAt) + '. You keep ' + planName(current.plan) + ' until then, and unused time is credited to your next invoice.';
      summary += preview.amountDueNow > 0 ? ' You will be charged ' + money(preview.amountDueNow, preview.currency) + ' now.' : ' Nothing is charged now.';
    } else {
      summary = preview.amountDueNow > 0
        ? 'You will be charged ' + money(preview.amountDueNow, preview.currency) + ' now, prorated for the rest of the current period. The new plan starts immediately.'
        : 'Nothing is charged now. The new plan starts immediately.';
    }
    setText('preview-summary', summary);
    var rows = $('preview-lines');
    rows.replaceChildren();
    preview.lines.forEach(function (line) {
      var tr = el('tr');
      var item = el('td', line.description, { 'data-label': 'Item' });
      if (line.period) item.appendChild(el('span', date(line.period.start) + ' – ' + date(line.period.end), { class: 'note' }));
      tr.appendChild(item);
      tr.appendChild(el('td', money(line.amount, preview.currency), { class: 'num', 'data-label': 'Amount' }));
      rows.appendChild(tr);
    });
    setText('preview-next', 'Your next invoice will total ' + money(preview.nextInvoiceTotal, preview.currency) + '.');
  }

  function wireActions() {
    on('change-plan', 'change', function () { formTouched = true; updatePrice(); });
    document.querySelectorAll('input[name="change-interval"]').forEach(function (input) {
      input.addEventListener('change', function () { formTouched = true; updatePrice(); });
    });

    on('change-form', 'submit', async function (event) {
      event.preventDefault();
      if (inFlight || !current) return;
      clearError();
      var target = { plan: $('change-plan').value, interval: checked('change-interval') };
      if (target.plan === current.plan && target.interval === current.interval) {
        showError('That is your current plan. Choose another plan or billing interval.');
        return;
      }
      var button = $('change-preview');
      button.disabled = true;
      try {
        var preview = await api('POST', '/v1/billing/change/preview', target);
        fillPreview(target, preview);
        changeAction = { target: target, key: uuid() };
        $('preview-dialog').showModal();
      } catch (error) {
        showError(error);
      } finally {
        button.disabled = false;
      }
    });

    on('preview-confirm', 'click', function () {
      var action = changeAction;
      if (!action) return;
      var t = action.target;
      void runAction({
        dialog: $('preview-dialog'),
        pending: 'change to ' + planLabel(t.plan, t.interval),
        done: 'your plan change to ' + planLabel(t.plan, t.interval) + ' is in place.',
        request: function () { return api('POST', '/v1/billing/change', t, action.key); },
        expect: function (s) {
          return (s.plan === t.plan && s.interval === t.interval) ||
            (!!s.pendingChange && s.pendingChange.plan === t.plan && s.pendingChange.interval === t.interval);
        },
      });
    });
    on('preview-back', 'click', function () { $('preview-dialog').close(); });

    on('cancel-form', 'submit', function (event) {
      event.preventDefault();
      if (inFlight || !current) return;
      clearError();
      var at = checked('cancel-at');
      var plan = planName(current.plan);
      var text = at === 'now'
        ? 'Your ' + plan + ' subscription ends now and the account moves to the Free plan immediately. Features beyond Free stop at once, and there is no refund for the time left until ' + date(current.renewsAt) + '.'
        : 'Your ' + plan + ' subscription stays active until ' + date(current.renewsAt) + '. Then the account moves to the Free plan and nothing more is charged. You can keep the subscription any time before then.';
      setText('cancel-dialog-text', text);
      setText('cancel-confirm', at === 'now' ? 'Yes, cancel now' : 'Yes, cancel at period end');
      cancelAction = { at: at, key: uuid() };
      $('cancel-dialog').showModal();
    });
    on('cancel-confirm', 'click', function () {
      var action = cancelAction;
      if (!action) return;
      void runAction({
        dialog: $('cancel-dialog'),
        pending: action.at === 'now' ? 'cancel now' : 'cancel at the end of the period',
        done: action.at === 'now' ? 'the subscription is canceled.' : 'the subscription will end at the end of the period.',
        request: function () { return api('POST', '/v1/billing/cancel', { at: action.at }, action.key); },
        expect: action.at === 'now'
          ? function (s) { return ['canceled', 'expired', 'none'].indexOf(s.status) >= 0 || s.plan === 'free'; }
          : function (s) { return s.status === 'canceled_pending' || !!s.cancelAt; },
      });
    });
    on('cancel-back', 'click', function () { $('cancel-dialog').close(); });

    on('resume-button', 'click', function () {
      var key = uuid();
      void runAction({
        pending: 'keep the subscription',
        done: 'the subscription continues.',
        request: function () { return api('POST', '/v1/billing/resume', {}, key); },
        expect: function (s) { return s.status !== 'canceled_pending' && !s.cancelAt; },
      });
    });

    on('subscribe-form', 'submit', function (event) {
      event.preventDefault();
      if (inFlight) return;
      var selection = { plan: $('subscribe-plan').value, interval: checked('subscribe-interval') };
      void leaveFor('subscribe-submit', function () {
        return api('POST', '/v1/billing/checkout', selection, uuid()).then(function (r) { return r.checkoutUrl; });
      });
    });

    on('banner-fix', 'click', function () {
      void leaveFor('banner-fix', function () {
        return api('POST', '/v1/billing/portal', {}, uuid()).then(function (r) { return r.url; });
      });
    });
  }

  /** Asks the API for a Stripe-hosted page (checkout, portal) and goes there; the button waits meanwhile. */
  async function leaveFor(buttonId, requestUrl) {
    var button = $(buttonId);
    if (button.disabled) return;
    clearError();
    button.disabled = true;
    try {
      navigate(await requestUrl());
    } catch (error) {
      showError(error);
      button.disabled = false;
    }
  }

  /** Only http(s) destinations from our own API are followed. */
  function navigate(url) {
    var target = new URL(url, window.location.href);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new ApiError('Unexpected redirect address.', 0, 'bad_url');
    window.location.assign(target.href);
  }

  async function loadInvoices(reset) {
    var rows = $('invoices-rows');
    if (!rows) return;
    if (reset) {
      invoiceCursor = null;
      rows.replaceChildren();
    }
    try {
      var page = await api('GET', '/v1/billing/invoices?limit=10' + (invoiceCursor ? '&cursor=' + encodeURIComponent(invoiceCursor) : ''));
      page.data.forEach(function (invoice) {
        var tr = el('tr');
        var number = invoice.number || invoice.id;
        tr.appendChild(el('td', number, { 'data-label': 'Invoice' }));
        tr.appendChild(el('td', date(invoice.createdAt), { class: 'when', 'data-label': 'Date' }));
        tr.appendChild(el('td', money(invoice.total, invoice.currency), { class: 'num', 'data-label': 'Amount' }));
        tr.appendChild(el('td', INVOICE_STATUS[invoice.status] || invoice.status, { 'data-label': 'Status' }));
        var cell = el('td', null, { 'data-label': 'PDF' });
        if (invoice.invoicePdf) {
          cell.appendChild(el('a', 'PDF', {
            href: '/v1/billing/invoices/' + encodeURIComponent(invoice.id) + '/pdf',
            target: '_blank',
            rel: 'noopener',
            'aria-label': 'Invoice ' + number + ' as PDF (opens in a new tab)',
          }));
        } else {
          cell.textContent = '—';
        }
        tr.appendChild(cell);
        rows.appendChild(tr);
      });
      invoiceCursor = page.nextCursor;
      show('invoices-more', !!invoiceCursor);
      show('invoices-empty', rows.children.length === 0);
    } catch (error) {
      showError(error);
    }
  }

  function actorName(actor) {
    if (!actor) return '—';
    if (actor.type === 'stripe') return 'Stripe';
    if (actor.type === 'system') return 'Tollgate';
    if (actor.type === 'operator') return 'Operator ' + actor.id;
    return actor.id + (actor.role ? ' (' + actor.role + ')' : '');
  }
  function changes(before, after) {
    if (!after || typeof after !== 'object') return '';
    var parts = [];
    Object.keys(after).forEach(function (key) {
      var was = before && typeof before === 'object' ? before[key] : undefined;
      var now = after[key];
      var simple = function (v) { return v === null || ['string', 'number', 'boolean'].indexOf(typeof v) >= 0; };
      if (simple(now) && (was === undefined || simple(was)) && was !== now)
        parts.push(key + ': ' + (was === undefined || was === null ? '—' : String(was)) + ' → ' + (now === null ? '—' : String(now)));
    });
    return parts.slice(0, 4).join('; ');
  }

  async function loadAudit(reset) {
    var rows = $('audit-rows');
    if (!rows) return;
    if (reset) {
      auditCursor = null;
      rows.replaceChildren();
    }
    try {
      var page = await api('GET', '/v1/billing/audit?limit=20' + (auditCursor ? '&cursor=' + encodeURIComponent(auditCursor) : ''));
      page.data.forEach(function (entry) {
        var tr = el('tr');
        tr.appendChild(el('td', dateTime(entry.at), { class: 'when', 'data-label': 'When' }));
        tr.appendChild(el('td', actorName(entry.actor), { 'data-label': 'Who' }));
        var what = el('td', entry.action.replace(/[._]/g, ' '), { 'data-label': 'What' });
        var detail = changes(entry.before, entry.after);
        if (detail) what.appendChild(el('span', detail, { class: 'note' }));
        tr.appendChild(what);
        rows.appendChild(tr);
      });
      auditCursor = page.nextCursor;
      show('audit-more', !!auditCursor);
      show('audit-empty', rows.children.length === 0);
    } catch (error) {
      showError(error);
    }
  }

  async function loadMembers() {
    var list = $('members-list');
    if (!list) return;
    try {
      var reply = await api('GET', '/v1/billing/members');
      list.replaceChildren();
      reply.data.forEach(function (member) {
        list.appendChild(el('li', member.email));
      });
      show('members-empty', reply.data.length === 0);
    } catch (error) {
      showError(error);
    }
  }

  async function start() {
    wireActions();
    on('invoices-more', 'click', function () { void loadInvoices(false); });
    on('audit-more', 'click', function () { void loadAudit(false); });
    on('sign-out', 'click', async function () {
      try {
        await api('POST', '/billing/sign-out', {});
      } finally {
        window.location.assign('/billing');
      }
    });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && !inFlight && current) refresh().catch(showError);
    });
    try {
      catalog = await api('GET', '/v1/plans');
    } catch (error) {
      catalog = null;
    }
    try {
      await refresh();
    } catch (error) {
      setText('plan', '—');
      showError(error);
      return;
    }
    void loadInvoices(true);
    void loadAudit(true);
    void loadMembers();
    body.setAttribute('data-ready', 'true');
  }

  void start();
})();
`;
