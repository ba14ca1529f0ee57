/**
 * The Stripe emulator: a stateful, Stripe-compatible HTTP server that the official SDK drives unmodified.
 * startEmulator() runs it in-process (tests) and main.ts as its own process. State is in memory, optionally
 * persisted to a snapshot file. See docs/stripe-emulator.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { CheckoutService } from './billing/checkout.service';
import { InvoiceService } from './billing/invoice.service';
import { LifecycleScheduler } from './billing/lifecycle.scheduler';
import { buildCheckoutLineItem } from './billing/object-builders';
import { PreviewService } from './billing/preview.service';
import { productName } from './billing/subscription-change';
import { SubscriptionService } from './billing/subscription.service';
import { ApiRouter, send, toApiError } from './core/api-router';
import {
  DEFAULT_CONFIG,
  idOf,
  type EmulatorConfig,
  type RetrySchedule,
  type WebhookFaults,
} from './core/emulator-context';
import { EmulatorContext } from './core/emulator-context';
import { newId } from './core/ids';
import { emptyData, type EmulatorData } from './core/state';
import { invalidRequest, StripeApiError } from './core/stripe-error';
import { hostedPages } from './pages/hosted-pages';
import { registerBillingRoutes } from './resources/billing.routes';
import { registerCatalogRoutes } from './resources/catalog.routes';
import { PaymentMethodService, registerCustomerRoutes } from './resources/customers.routes';
import { registerPlatformRoutes, registerWebhookEndpoint } from './resources/platform.routes';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

export interface EmulatorOptions {
  /** 0 = a random free port. Default 12111. */
  port?: number;
  host?: string;
  /** An endpoint registered at start (and after every reset), receiving all events. */
  webhookUrl?: string;
  webhookSecret?: string;
  snapshotPath?: string;
  faults?: Partial<WebhookFaults>;
  retrySchedule?: Partial<RetrySchedule>;
  /** Base of hosted URLs (checkout, portal, invoices); default the listening address. */
  publicUrl?: string;
  /** Emits one JSON line per notable thing; default silent. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
  reset(): void;
}

const REAL_TIME_TICK_MS = 1000;

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? (() => undefined);
  const config: EmulatorConfig = structuredClone(DEFAULT_CONFIG);
  Object.assign(config.faults, options.faults ?? {});
  Object.assign(config.retrySchedule, options.retrySchedule ?? {});
  let baseUrl = options.publicUrl ?? '';
  const ctx = new EmulatorContext(config, () => baseUrl);

  const paymentMethods = new PaymentMethodService(ctx);
  const invoices = new InvoiceService(ctx);
  const subscriptions = new SubscriptionService(ctx, invoices);
  const previews = new PreviewService(ctx, subscriptions);
  const checkout = new CheckoutService(ctx, subscriptions, paymentMethods);
  const scheduler = new LifecycleScheduler(ctx, subscriptions, invoices, previews);
  const dispatcher = new WebhookDispatcher(ctx);

  const seedEndpoint = () => {
    if (options.webhookUrl)
      registerWebhookEndpoint(ctx, {
        url: options.webhookUrl,
        enabledEvents: ['*'],
        secret: options.webhookSecret,
        description: 'configured by environment',
      });
  };

  const snapshotPath = options.snapshotPath;
  if (snapshotPath && existsSync(snapshotPath)) {
    ctx.data = {
      ...emptyData(),
      ...(JSON.parse(readFileSync(snapshotPath, 'utf8')) as Partial<EmulatorData>),
    };
    log({ msg: 'snapshot loaded', path: snapshotPath });
  } else {
    seedEndpoint();
  }
  let snapshotTimer: NodeJS.Timeout | null = null;
  const saveSnapshot = () => {
    if (snapshotPath) writeFileSync(snapshotPath, JSON.stringify(ctx.data));
  };
  ctx.onEvent((event) => {
    log({ msg: 'event', id: event.id, type: event.type });
    if (!snapshotPath || snapshotTimer) return;
    snapshotTimer = setTimeout(() => {
      snapshotTimer = null;
      saveSnapshot();
    }, 200);
    snapshotTimer.unref();
  });

  const advanceClock = (clockId: string, to: number) => {
    setImmediate(() => {
      const clock = ctx.data.testClocks[clockId];
      if (!clock) return;
      try {
        scheduler.runUntil(clockId, to);
      } catch (error) {
        log({ msg: 'test clock advance failed', clockId, error: (error as Error).stack });
      }
      clock.frozen_time = to;
      clock.status = 'ready';
      clock.status_details = {};
      ctx.emit('test_helpers.test_clock.ready', clock, to);
    });
  };

  const api = new ApiRouter(ctx, (node, key) => virtualField(ctx, node, key));
  registerCatalogRoutes(api, ctx);
  registerCustomerRoutes(api, ctx, paymentMethods);
  registerBillingRoutes(api, ctx, { subscriptions, invoices, previews, checkout, paymentMethods });
  registerPlatformRoutes(api, ctx, { advance: advanceClock });

  const reset = () => {
    ctx.data = emptyData();
    api.clearIdempotency();
    dispatcher.clear();
    seedEndpoint();
    saveSnapshot();
    log({ msg: 'reset' });
  };

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/_emulator', express.json(), emulatorRoutes());
  app.use(hostedPages(ctx, { checkout, subscriptions, invoices, paymentMethods }));
  app.use(api.router);
  app.use((req, res) => {
    send(
      res,
      new StripeApiError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      }),
    );
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) send(res, invalidRequest((error as Error).message));
    else send(res, toApiError(error));
  });

  function emulatorRoutes(): express.Router {
    const router = express.Router();
    router.post('/checkout/:id/complete', (req, res) => {
      try {
        const body = (req.body ?? {}) as { paymentMethod?: unknown };
        // null: the customer starts a trial without a card (Checkout's payment_method_collection=if_required).
        const pm =
          typeof body.paymentMethod === 'string'
            ? body.paymentMethod
            : body.paymentMethod === null
              ? null
              : 'pm_card_visa';
        res.json(checkout.complete(req.params.id, pm));
      } catch (error) {
        send(res, toApiError(error));
      }
    });
    router.post('/reset', (_req, res) => {
      reset();
      res.json({ reset: true });
    });
    router.get('/config', (_req, res) => {
      res.json(config);
    });
    router.post('/config', (req, res) => {
      const body = (req.body ?? {}) as Partial<EmulatorConfig> & Partial<WebhookFaults>;
      const problems = applyConfig(config, body);
      if (problems.length > 0) {
        send(res, invalidRequest(`Invalid config: ${problems.join('; ')}`, problems[0].split(' ')[0]));
        return;
      }
      dispatcher.reseed();
      res.json(config);
    });
    router.get('/deliveries', (_req, res) => {
      res.json(dispatcher.log);
    });
    return router;
  }

  // Objects on no test clock live in real time: their renewals, retries and session expiries run on a tick.
  const tick = setInterval(() => {
    try {
      const now = ctx.realNow();
      scheduler.runUntil(null, now);
      checkout.expireDue();
    } catch (error) {
      log({ msg: 'real-time tick failed', error: (error as Error).stack });
    }
  }, REAL_TIME_TICK_MS);
  tick.unref();

  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 12111, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  if (!baseUrl) baseUrl = url;
  log({ msg: 'stripe emulator listening', url });

  return {
    url,
    port,
    reset,
    stop: async () => {
      clearInterval(tick);
      if (snapshotTimer) clearTimeout(snapshotTimer);
      saveSnapshot();
      dispatcher.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** POST /_emulator/config: the fault knobs at top level or under `faults`, plus retrySchedule and seed. */
function applyConfig(config: EmulatorConfig, body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const faults = {
    ...(typeof body.faults === 'object' && body.faults ? body.faults : {}),
    ...body,
  } as Record<string, unknown>;
  for (const key of ['duplicateRate', 'failRate'] as const)
    if (key in faults) {
      const v = faults[key];
      if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${key} must be a number between 0 and 1`);
      else config.faults[key] = v;
    }
  if ('duplicateCopies' in faults) {
    const v = faults.duplicateCopies;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10)
      problems.push('duplicateCopies must be an integer between 1 and 10');
    else config.faults.duplicateCopies = v;
  }
  for (const key of ['reorderWindowMs', 'delayMs'] as const)
    if (key in faults) {
      const v = faults[key];
      if (typeof v !== 'number' || v < 0) problems.push(`${key} must be a non-negative number`);
      else config.faults[key] = v;
    }
  if (typeof body.seed === 'number') config.seed = body.seed;
  if ('rateLimitPerSecond' in body) {
    const v = body.rateLimitPerSecond;
    if (typeof v !== 'number' || v < 0) problems.push('rateLimitPerSecond must be a non-negative number');
    else config.rateLimitPerSecond = v;
  }
  if (
    Array.isArray(body.webhookRetryDelaysMs) &&
    body.webhookRetryDelaysMs.every((d) => typeof d === 'number' && d >= 0)
  )
    config.webhookRetryDelaysMs = body.webhookRetryDelaysMs as number[];
  const retry = body.retrySchedule as Partial<RetrySchedule> | undefined;
  if (retry) {
    if (retry.retryDays !== undefined) {
      if (!Array.isArray(retry.retryDays) || !retry.retryDays.every((d) => typeof d === 'number' && d > 0))
        problems.push('retrySchedule.retryDays must be an array of positive numbers');
      else config.retrySchedule.retryDays = retry.retryDays;
    }
    if (retry.terminalAction !== undefined) {
      if (!['cancel', 'unpaid', 'past_due'].includes(retry.terminalAction))
        problems.push('retrySchedule.terminalAction must be cancel, unpaid or past_due');
      else config.retrySchedule.terminalAction = retry.terminalAction;
    }
    if (retry.invoiceTerminalAction !== undefined) {
      if (!['leave_open', 'mark_uncollectible'].includes(retry.invoiceTerminalAction))
        problems.push('retrySchedule.invoiceTerminalAction must be leave_open or mark_uncollectible');
      else config.retrySchedule.invoiceTerminalAction = retry.invoiceTerminalAction;
    }
  }
  return problems;
}

/** Fields Stripe returns only when expanded. */
function virtualField(ctx: EmulatorContext, node: Record<string, unknown>, key: string): unknown {
  const list = (data: unknown[], url: string) => ({ object: 'list', data, has_more: false, url });
  if (node.object === 'invoice' && key === 'payments')
    return list(
      Object.values(ctx.data.invoicePayments).filter((p) => idOf(p.invoice) === node.id),
      `/v1/invoice_payments?invoice=${String(node.id)}`,
    );
  if (node.object === 'checkout.session' && key === 'line_items') {
    const bookkeeping = ctx.data.checkoutBookkeeping[node.id as string];
    return list(
      (bookkeeping?.lineItems ?? []).map((li) => {
        const price = ctx.data.prices[li.price];
        return buildCheckoutLineItem({
          id: newId('li_1'),
          price,
          quantity: li.quantity,
          description: productName(price, ctx.data.products),
        });
      }),
      `/v1/checkout/sessions/${String(node.id)}/line_items`,
    );
  }
  if (node.object === 'customer' && key === 'subscriptions')
    return list(
      Object.values(ctx.data.subscriptions).filter(
        (s) => idOf(s.customer) === node.id && s.status !== 'canceled',
      ),
      `/v1/customers/${String(node.id)}/subscriptions`,
    );
  return undefined;
}
