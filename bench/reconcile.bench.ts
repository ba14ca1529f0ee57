/**
 * Reconciliation benchmark (issue 8): time to reconcile N subscriptions (default 10,000; BENCH_RECONCILE_N)
 * at a request budget, beside the floor that budget sets: every list walked in pages of 100 (Stripe's
 * maximum), one request per page, at `rate` requests per second — ceil(customers/100) + ceil(subscriptions/100)
 * + ceil(invoices/100) requests. The emulator runs as its own process (its list pages cost O(objects) each,
 * unlike Stripe's); Tollgate's rows are seeded to agree with it
 * except 1% of subscriptions (plan drift), which the run repairs through the projection. Catch-up is off
 * (it is the webhooks service's walk of the Events API, outside this budget).
 * Run with `npm run bench` or `npm run build && node dist/bench/run.js reconcile`.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pino from 'pino';
import type Stripe from 'stripe';
import { Client } from 'pg';
import { loadCatalog } from '@tollgate/catalog';
import { migrate, openDataSource } from '@tollgate/database';
import { createStripeClient } from '@tollgate/stripe-client';
import { StripeGateway } from '../apps/billing/src/adapters/stripe.gateway';
import { billingDatabase } from '../apps/billing/src/database';
import { ReconciliationSettings } from '../apps/billing/src/reconciliation/reconciliation.settings';
import { ReconciliationService } from '../apps/billing/src/reconciliation/services/reconciliation.service';
import { CatalogPrices, syncCatalog } from '../apps/billing/src/services/catalog-sync.service';
import { DEFAULT_LADDER } from '../apps/billing/src/services/dunning-ladder.policy';
import { invoiceSnapshot } from '../apps/billing/src/services/stripe-invoice.transform';
import { subscriptionSnapshot } from '../apps/billing/src/services/stripe-subscription.transform';
import { StripeEventProjector } from '../apps/billing/src/services/stripe-event.projector';
import type { BenchModule, BenchRow } from './harness';

const PG_ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_RECONCILE_N ?? 10_000);
const RATES = (process.env.BENCH_RECONCILE_RATES ?? '25,100').split(',').map(Number);
const DRIFT = Math.max(1, Math.round(N / 100));
const SEED_CONCURRENCY = 32;

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The emulator as its own process (as in `npm start`): it must not share the reconciler's event loop. */
async function startEmulatorProcess(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, '../apps/stripe-emulator/src/main.js')], {
    env: { ...process.env, STRIPE_EMULATOR_PORT: String(port), STRIPE_EMULATOR_HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('the emulator exited');
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error('the emulator did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const bench: BenchModule = {
  name: 'reconcile',
  async run(): Promise<BenchRow[]> {
    const emulator = await startEmulatorProcess();
    const name = `tollgate_bench_${randomBytes(5).toString('hex')}`;
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    await migrate(billingDatabase, url.toString());
    const ds = await openDataSource(billingDatabase, url.toString(), 16);
    try {
      const stripe = createStripeClient({ secretKey: 'sk_test_bench', apiBase: emulator.url });
      const gateway = new StripeGateway(stripe);
      const prices = new CatalogPrices(loadCatalog());
      const synced = await syncCatalog(gateway, prices.catalog);
      prices.load([...synced.values()].map((p) => ({ lookupKey: p.lookupKey, stripePriceId: p.id })));
      const pro = synced.get('tollgate_pro_month')!.id;

      // Stripe: N customers, each with a Pro subscription in trial (its first invoice is a paid $0 one).
      process.stderr.write(`  seeding ${N} customers and subscriptions in the emulator...\n`);
      const subscriptions: Stripe.Subscription[] = [];
      await pool(
        Array.from({ length: N }, (_, i) => i),
        SEED_CONCURRENCY,
        async (i) => {
          const customer = await stripe.customers.create({ metadata: { tenant_id: `bench-${i}` } });
          subscriptions.push(
            await stripe.subscriptions.create({
              customer: customer.id,
              items: [{ price: pro }],
              trial_period_days: 14,
              metadata: { tenant_id: `bench-${i}` },
            }),
          );
        },
      );
      const invoices: Stripe.Invoice[] = [];
      for await (const invoice of stripe.invoices.list({ limit: 100 })) invoices.push(invoice);

      // Tollgate: the same, as the projection would have written it.
      const at = new Date(Date.now() - 60_000);
      const tenants = subscriptions.map((s) => ({
        id: s.metadata.tenant_id,
        customer: s.customer as string,
      }));
      await ds.query(
        `INSERT INTO billing.tenants (id, name, billing_email, locale, time_zone, stripe_customer_id, created_at)
         SELECT x.id, x.id, x.id || '@bench.test', 'en-US', 'UTC', x.customer, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, customer text)`,
        [JSON.stringify(tenants), at],
      );
      const rows = subscriptions.map((s, i) => {
        const snap = subscriptionSnapshot(s, prices.resolve);
        return { ...snap, tenantId: s.metadata.tenant_id, drift: i < DRIFT };
      });
      await ds.query(
        `INSERT INTO billing.subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, plan, interval,
           stripe_status, state, purchased_seats, current_period_start, current_period_end, trial_end, cancel_at,
           cancel_at_period_end, canceled_at, ended_at, last_event_at, last_event_id, created_at, updated_at)
         SELECT x."stripeSubscriptionId", x."tenantId", x."stripeCustomerId", x.plan, x.interval,
           x."stripeStatus", x.state,
           x."purchasedSeats", x."currentPeriodStart", x."currentPeriodEnd", x."trialEnd", x."cancelAt",
           x."cancelAtPeriodEnd", x."canceledAt", x."endedAt", $2, 'evt_seed', $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS x("stripeSubscriptionId" text, "tenantId" text, "stripeCustomerId" text,
           plan text, interval text, "stripeStatus" text, state text, "purchasedSeats" int, "currentPeriodStart" timestamptz,
           "currentPeriodEnd" timestamptz, "trialEnd" timestamptz, "cancelAt" timestamptz, "cancelAtPeriodEnd" boolean,
           "canceledAt" timestamptz, "endedAt" timestamptz, drift boolean)`,
        [JSON.stringify(rows), at],
      );
      const tenantOf = new Map(tenants.map((t) => [t.customer, t.id]));
      await ds.query(
        `INSERT INTO billing.invoices (stripe_invoice_id, tenant_id, stripe_customer_id, stripe_subscription_id, number,
           status, currency, total, amount_due, amount_paid, attempt_count, next_payment_attempt, hosted_invoice_url,
           invoice_pdf, period_start, period_end, stripe_created_at, last_event_at)
         SELECT x."stripeInvoiceId", x."tenantId", x."stripeCustomerId", x."stripeSubscriptionId", x.number, x.status,
           x.currency, x.total, x."amountDue", x."amountPaid", x."attemptCount", x."nextPaymentAttempt",
           x."hostedInvoiceUrl", x."invoicePdf", x."periodStart", x."periodEnd", x."stripeCreatedAt", $2
         FROM jsonb_to_recordset($1::jsonb) AS x("stripeInvoiceId" text, "tenantId" text, "stripeCustomerId" text,
           "stripeSubscriptionId" text, number text, status text, currency text, total int, "amountDue" int,
           "amountPaid" int, "attemptCount" int, "nextPaymentAttempt" timestamptz, "hostedInvoiceUrl" text,
           "invoicePdf" text, "periodStart" timestamptz, "periodEnd" timestamptz, "stripeCreatedAt" timestamptz)
         WHERE x.status <> 'draft'`,
        [
          JSON.stringify(
            invoices.map((i) => ({ ...invoiceSnapshot(i), tenantId: tenantOf.get(i.customer as string) })),
          ),
          at,
        ],
      );

      const floorRequests = Math.ceil(N / 100) * 2 + Math.ceil(invoices.length / 100);
      const projector = new StripeEventProjector(
        ds,
        gateway,
        prices,
        pino({ level: 'silent' }),
        () => undefined,
        DEFAULT_LADDER,
      );
      const out: BenchRow[] = [];
      for (const rate of RATES) {
        // Each budget starts from the same drift.
        await ds.query(
          `UPDATE billing.subscriptions SET plan = 'business' WHERE stripe_subscription_id = ANY($1)`,
          [rows.filter((r) => r.drift).map((r) => r.stripeSubscriptionId)],
        );
        const service = new ReconciliationService({
          ds,
          stripe: createStripeClient({ secretKey: 'sk_test_bench', apiBase: emulator.url }),
          projector,
          prices,
          catchUp: null,
          logger: pino({ level: 'silent' }),
          settings: Object.assign(new ReconciliationSettings(), {
            RECONCILE_RATE_PER_SECOND: rate,
            RECONCILE_CATCH_UP: 'false',
          }),
        });
        process.stderr.write(`  reconciling ${N} subscriptions at ${rate} requests/s...\n`);
        const run = await service.run({ dryRun: false, trigger: 'bench' });
        const report = run.report!;
        if (run.status !== 'completed' || report.repaired !== DRIFT)
          throw new Error(`bench run did not repair the seeded drift: ${JSON.stringify(run)}`);
        const floor = floorRequests / rate;
        out.push(
          {
            group: 'reconcile',
            metric: `${N} subscriptions at ${rate} req/s (${report.stripeRequests} requests, ${report.repaired} repaired)`,
            value: report.durationMs / 1000,
            unit: 's',
            baseline: { name: `floor ${floorRequests} pages / ${rate} req/s`, value: floor },
            target: 'close to the floor (ratio near 1x)',
          },
          {
            group: 'reconcile',
            metric: `requests per second achieved at ${rate} req/s budget`,
            value: report.stripeRequests / (report.durationMs / 1000),
            unit: 'req/s',
            baseline: { name: 'budget', value: rate },
            target: '<= budget',
          },
        );
      }
      return out;
    } finally {
      await ds.destroy();
      emulator.stop();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  },
};
