/**
 * Reconciliation against the whole webhook pipeline, in-process: the Stripe emulator delivers signed webhooks
 * to the webhooks service, which feeds billing over JetStream (same database and NATS namespace), as in
 * production. Drift is made behind Tollgate's back: rows edited in Postgres, changes made in Stripe while the
 * endpoint is disabled, objects created straight in Stripe.
 */
import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { BillingSubject, type Actor } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import { createStripeClient } from '@tollgate/stripe-client';
import {
  TEST_NATS_URL,
  connectTestBus,
  createTestDatabase,
  deleteNamespaceStreams,
  eventually,
  testNamespace,
  type TestDatabase,
  reservePort,
  metricSample,
} from '@tollgate/testing';
import { startEmulator, type RunningEmulator } from '../../stripe-emulator/src/emulator';
import { webhooksDefinition } from '../../webhooks/src/webhooks.definition';
import { billingDefinition } from '../src/billing.definition';
import { NatsCatchUpAdapter } from '../src/reconciliation/adapters/catch-up.adapter';
import { ReconciliationSettings } from '../src/reconciliation/reconciliation.settings';
import { ReconciliationService } from '../src/reconciliation/services/reconciliation.service';
import { CatalogPrices } from '../src/services/catalog-sync.service';
import { StripeEventProjector } from '../src/services/stripe-event.projector';

export const operator: Actor = { type: 'operator', id: 'op-1', role: 'operator' };
const SECRET = 'whsec_reconciliation_test_0123456789';
export const STRIPE_KEY = 'sk_test_reconcile';

const freePort = reservePort;

export interface SubscriptionRow {
  tenant_id: string;
  state: string;
  stripe_status: string;
  plan: string;
  purchased_seats: number;
  current_period_end: Date;
  cancel_at_period_end: boolean;
  last_event_id: string;
}

export class ReconciliationHarness {
  emulator!: RunningEmulator;
  db!: TestDatabase;
  namespace!: string;
  billing!: INestApplication;
  webhooks!: INestApplication;
  ds!: DataSource;
  bus!: NatsBus;
  stripe!: Stripe;
  billingUrl!: string;
  private testBus!: NatsBus;
  private prices = new Map<string, string>();

  async start(): Promise<void> {
    const webhooksPort = await freePort();
    this.emulator = await startEmulator({
      port: 0,
      webhookUrl: `http://127.0.0.1:${webhooksPort}/webhooks/stripe`,
      webhookSecret: SECRET,
    });
    this.db = await createTestDatabase();
    this.namespace = testNamespace();
    this.testBus = await connectTestBus(this.namespace);
    const common = {
      DATABASE_URL: this.db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: this.namespace,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_API_BASE: this.emulator.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_GRACE_MS: '1000',
      DATABASE_POOL_SIZE: '8',
    };
    this.billing = await runService(billingDefinition, {
      port: 0,
      // One delivery: a poison event (a duplicate subscription, an unknown customer) dead-letters at once.
      env: { ...common, BILLING_OUTBOX_POLL_MS: '50', BILLING_MAX_DELIVER: '1' },
    });
    this.webhooks = await runService(webhooksDefinition, {
      port: webhooksPort,
      env: {
        ...common,
        STRIPE_WEBHOOK_SECRETS: SECRET,
        WEBHOOK_RELAY_INTERVAL_MS: '50',
        WEBHOOK_RELAY_GRACE_MS: '0',
        WEBHOOK_RELAY_MAX_BACKOFF_MS: '200',
      },
    });
    this.ds = this.billing.get(DataSource);
    this.bus = this.billing.get(NatsBus);
    this.billingUrl = `http://127.0.0.1:${(this.billing.getHttpServer() as { address(): { port: number } }).address().port}`;
    this.stripe = createStripeClient({
      secretKey: STRIPE_KEY,
      apiBase: this.emulator.url,
      maxNetworkRetries: 0,
    });
    for (const price of (await this.stripe.prices.list({ limit: 100 })).data)
      if (price.lookup_key) this.prices.set(price.lookup_key, price.id);
  }

  async stop(): Promise<void> {
    await this.webhooks?.close();
    await this.billing?.close();
    await deleteNamespaceStreams(this.testBus).catch(() => undefined);
    await this.testBus?.close(500);
    await this.db?.drop();
    await this.emulator?.stop();
  }

  /** A reconciliation service as `npm run reconcile` builds it, with test-sized knobs. */
  reconciler(overrides: Partial<ReconciliationSettings> = {}): ReconciliationService {
    return new ReconciliationService({
      ds: this.ds,
      stripe: createStripeClient({ secretKey: STRIPE_KEY, apiBase: this.emulator.url }),
      projector: this.billing.get(StripeEventProjector),
      prices: this.billing.get(CatalogPrices),
      catchUp: new NatsCatchUpAdapter(this.bus, 30_000),
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      settings: Object.assign(new ReconciliationSettings(), {
        RECONCILE_RATE_PER_SECOND: 200,
        RECONCILE_LEASE_TTL_MS: 2000,
        RECONCILE_DRAIN_TIMEOUT_MS: 20_000,
        ...overrides,
      }),
    });
  }

  price(lookupKey: string): string {
    const id = this.prices.get(lookupKey);
    if (!id) throw new Error(`no price ${lookupKey}`);
    return id;
  }

  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.ds.query(query, params);
  }

  /** A tenant with an active Pro subscription paid by card, projected through the pipeline. */
  async tenantWithSubscription(id: string): Promise<{ customerId: string; subscriptionId: string }> {
    const tenant = await this.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id,
      name: `Tenant ${id}`,
      billingEmail: `billing@${id}.test`,
    });
    const customerId = tenant.stripeCustomerId!;
    const subscriptionId = await this.subscribe(customerId);
    await eventually(async () => (await this.subscriptionRow(subscriptionId))?.state === 'active', {
      what: `${id}'s subscription projected`,
      timeoutMs: 15_000,
    });
    return { customerId, subscriptionId };
  }

  async subscribe(customerId: string, lookupKey = 'tollgate_pro_month'): Promise<string> {
    const pm = await this.stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
    const sub = await this.stripe.subscriptions.create({
      customer: customerId,
      items: [{ price: this.price(lookupKey) }],
      default_payment_method: pm.id,
    });
    return sub.id;
  }

  async subscriptionRow(id: string): Promise<SubscriptionRow | undefined> {
    return (
      await this.sql<SubscriptionRow>(
        `SELECT * FROM billing.subscriptions WHERE stripe_subscription_id = $1`,
        [id],
      )
    )[0];
  }

  /** Deliveries to Tollgate stop (Stripe keeps the events in its Events API), or start again. */
  async webhooksDisabled(disabled: boolean): Promise<void> {
    for (const endpoint of (await this.stripe.webhookEndpoints.list()).data)
      await this.stripe.webhookEndpoints.update(endpoint.id, { disabled });
  }

  /** The value of a sample in billing's /metrics, null when absent. */
  metric(name: string, labels: Record<string, string> = {}): Promise<number | null> {
    return metricSample(this.billingUrl, name, labels);
  }
}
