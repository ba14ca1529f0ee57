/**
 * Shared by the pipeline proofs of issue 4 (test/e2e/pipeline-*.test.ts): a whole platform of spawned processes
 * on its own database, namespace, ports and log directory, plus the probes those proofs assert on. Stripe is
 * driven directly through the emulator's API (customers, subscriptions, updates, cancellations), so one test
 * can produce a dense stream of real, signed Stripe events for many subscriptions; the platform sees exactly
 * what it would see from Stripe.
 */
import { join } from 'node:path';
import { connect as connectNats } from 'nats';
import { Pool } from 'pg';
import type Stripe from 'stripe';
import { STREAMS } from '@tollgate/contracts';
import { createStripeClient } from '@tollgate/stripe-client';
import {
  TEST_JWT_SECRET,
  TEST_NATS_URL,
  createTestDatabase,
  eventually,
  reservePort,
  signToken,
  testNamespace,
  type TestDatabase,
} from '@tollgate/testing';
import { ROOT, startPlatform, type PlatformPorts, type RunningPlatform } from '../../scripts/platform';

/** A message as the SMTP catcher shows it. */
export interface CaughtMail {
  to: unknown;
  subject: string;
  text: string;
  messageId: string;
}

export const WEBHOOK_SECRET = 'whsec_e2e_pipeline_proofs_secret';
const STRIPE_KEY = 'sk_test_e2e_pipeline';

/** A port for a process of the test's own (this jest worker's block, see test/support/ports.ts). */
export const freePort = reservePort;

/** Every port a platform needs, from this jest worker's block. */
export async function freePorts(): Promise<PlatformPorts> {
  const names: (keyof PlatformPorts)[] = [
    'gateway',
    'webhooks',
    'billing',
    'entitlements',
    'notifications',
    'emulator',
    'smtp',
    'smtpHttp',
  ];
  const ports: number[] = [];
  while (ports.length < names.length) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as unknown as PlatformPorts;
}

export type Variant = 'upgrade' | 'seats' | 'cancel_flip' | 'replace';
export const VARIANTS: Variant[] = ['upgrade', 'seats', 'cancel_flip', 'replace'];

/** The comparable part of a tenant's billing state (GET /v1/billing without its timestamps). */
export interface ComparableState {
  plan: string;
  interval: string | null;
  status: string;
  cancelPending: boolean;
  seats: unknown;
  paymentMethod: unknown;
  dunningStage: unknown;
}

/** One attempt in the emulator's delivery log (GET /_emulator/deliveries). */
export interface Delivery {
  eventId: string;
  ok: boolean;
  /** HTTP status of the answer; null when nothing answered. */
  status: number | null;
  duplicate: boolean;
}

export class PipelineHarness {
  platform!: RunningPlatform;
  db!: TestDatabase;
  pg!: Pool;
  stripe!: Stripe;
  private operator!: string;
  private nats!: { url: string; namespace: string };
  private readonly owners = new Map<string, string>();
  private prices = new Map<string, string>();

  /** Starts every process; `natsUrl` points the platform at a NATS server of the test's own. */
  async start(options: { natsUrl?: string; extraEnv?: Record<string, string> } = {}): Promise<void> {
    this.db = await createTestDatabase();
    this.nats = { url: options.natsUrl ?? TEST_NATS_URL, namespace: testNamespace() };
    this.platform = await startPlatform({
      ports: await freePorts(),
      databaseUrl: this.db.url,
      natsUrl: this.nats.url,
      namespace: this.nats.namespace,
      jwtSecret: TEST_JWT_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      stripeSecretKey: STRIPE_KEY,
      logDir: join(ROOT, 'test-artifacts', 'e2e-logs', this.db.name),
      logLevel: 'info',
      extraEnv: {
        BILLING_OUTBOX_POLL_MS: '100',
        // These tests drive hundreds of tenants from one address and poll the gateway while they wait; the
        // rate limits have tests of their own (apps/gateway/test/rate-limit.test.ts).
        RATE_LIMIT_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_TENANT_PER_MINUTE: '1000000',
        ...options.extraEnv,
      },
    });
    this.pg = new Pool({ connectionString: this.db.url, max: 4 });
    this.stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: this.platform.urls.emulator });
    this.operator = await signToken({ sub: 'e2e-operator', role: 'operator' });
    const prices = await this.stripe.prices.list({
      lookup_keys: [
        'tollgate_pro_month',
        'tollgate_business_month',
        'tollgate_business_year',
        'tollgate_seat_month',
      ],
      limit: 10,
    });
    this.prices = new Map(prices.data.map((p) => [p.lookup_key!, p.id]));
  }

  async stop(): Promise<void> {
    await this.platform?.stop();
    await this.pg?.end().catch(() => undefined);
    await this.db?.drop();
  }

  ownerToken(tenantId: string): string {
    const token = this.owners.get(tenantId);
    if (!token) throw new Error(`no tenant ${tenantId} created here`);
    return token;
  }

  price(lookupKey: string): string {
    const id = this.prices.get(lookupKey);
    if (!id) throw new Error(`no price ${lookupKey} in the emulator`);
    return id;
  }

  async api(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.platform.urls.gateway}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Creates a tenant through the gateway; answers its Stripe customer id. */
  async createTenant(id: string): Promise<string> {
    const created = await this.api('POST', '/v1/tenants', this.operator, {
      id,
      name: `Tenant ${id}`,
      billingEmail: `billing@${id}.example`,
    });
    if (created.status !== 201) throw new Error(`creating tenant ${id}: ${JSON.stringify(created.body)}`);
    this.owners.set(id, await signToken({ sub: `${id}-owner`, role: 'owner', tid: id }));
    const rows = await this.pg.query<{ stripe_customer_id: string }>(
      `SELECT stripe_customer_id FROM billing.tenants WHERE id = $1`,
      [id],
    );
    return rows.rows[0].stripe_customer_id;
  }

  /**
   * What a customer and Stripe do to one subscription, as fast as the API answers (so its events crowd into
   * the same seconds and, with the reorder fault, overtake each other):
   * - upgrade: Pro monthly, then Business monthly invoiced now;
   * - seats: Pro monthly, then 2 and then 3 extra seats;
   * - cancel_flip: Pro monthly, cancel at period end, resume, cancel at period end again;
   * - replace: Pro monthly canceled now, then a new Business yearly subscription.
   */
  async runScenario(customer: string, variant: Variant): Promise<void> {
    const pm = await this.stripe.paymentMethods.attach('pm_card_visa', { customer });
    await this.stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
    const sub = await this.stripe.subscriptions.create({
      customer,
      items: [{ price: this.price('tollgate_pro_month') }],
    });
    const item = sub.items.data[0];
    switch (variant) {
      case 'upgrade':
        await this.stripe.subscriptions.update(sub.id, {
          items: [{ id: item.id, price: this.price('tollgate_business_month') }],
          proration_behavior: 'always_invoice',
        });
        return;
      case 'seats': {
        const withSeats = await this.stripe.subscriptions.update(sub.id, {
          items: [{ price: this.price('tollgate_seat_month'), quantity: 2 }],
        });
        const seatItem = withSeats.items.data.find((i) => i.price.id === this.price('tollgate_seat_month'))!;
        await this.stripe.subscriptions.update(sub.id, { items: [{ id: seatItem.id, quantity: 3 }] });
        return;
      }
      case 'cancel_flip':
        await this.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
        await this.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
        await this.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
        return;
      case 'replace':
        await this.stripe.subscriptions.cancel(sub.id);
        await this.stripe.subscriptions.create({
          customer,
          items: [{ price: this.price('tollgate_business_year') }],
        });
        return;
    }
  }

  /**
   * Every Stripe event about these customers, as the Events API lists them (newest first). An
   * invoice_payment names no customer, only its invoice, so it is matched through the invoices seen.
   */
  async eventsOf(customers: Set<string>): Promise<Stripe.Event[]> {
    const all: Stripe.Event[] = [];
    for await (const event of this.stripe.events.list({ limit: 100 })) all.push(event);
    const invoices = new Set(
      all
        .filter((e) => e.type.startsWith('invoice.') && customers.has(customerOf(e) ?? ''))
        .map((e) => (e.data.object as { id: string }).id),
    );
    return all.filter((event) => {
      const customer = customerOf(event);
      if (customer) return customers.has(customer);
      const invoice = (event.data.object as { object?: string; invoice?: string | { id: string } }).invoice;
      return typeof invoice === 'string' ? invoices.has(invoice) : invoices.has(invoice?.id ?? '');
    });
  }

  /** Waits until billing has processed (committed an effect or a decision for) every one of `eventIds`. */
  async awaitProcessed(eventIds: string[], timeoutMs: number, what: string): Promise<void> {
    let last = 0;
    await eventually(
      async () => {
        const rows = await this.pg.query<{ n: string }>(
          `SELECT count(*) AS n FROM billing.processed_events WHERE event_id = ANY($1)`,
          [eventIds],
        );
        last = Number(rows.rows[0].n);
        return last === eventIds.length;
      },
      { timeoutMs, intervalMs: 250, what: `${what} (${eventIds.length} events; processed so far: ${last})` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; processed ${last} of ${eventIds.length}`);
    });
  }

  /**
   * Waits until webhooks' inbox holds every one of `eventIds` and `published` of them are marked published
   * (the mark is committed in a batch after JetStream's ack, and billing may project an event before it);
   * answers the rows by status. On timeout, answers what it last saw, for the caller's assertions to show.
   */
  async awaitInboxSettled(
    eventIds: string[],
    published: number,
    timeoutMs: number,
  ): Promise<Record<string, number>> {
    let byStatus: Record<string, number> = {};
    await eventually(
      async () => {
        const rows = await this.pg.query<{ status: string; n: string }>(
          `SELECT status, count(*) AS n FROM webhooks.stripe_events WHERE id = ANY($1) GROUP BY status`,
          [eventIds],
        );
        byStatus = Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)]));
        const recorded = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
        return recorded === eventIds.length && (byStatus.published ?? 0) === published;
      },
      { timeoutMs, intervalMs: 250, what: 'the inbox to settle' },
    ).catch(() => undefined);
    return byStatus;
  }

  /**
   * What stands between billing's state and a tenant's entitlements, for a failure message: billing's
   * unpublished outbox rows, the entitlements row, and the entitlements and billing services' JetStream
   * counters (acked / retried / dead-lettered) and consumer status.
   */
  async entitlementsDiagnostics(tenantId: string): Promise<string> {
    const part = async (name: string, read: () => Promise<unknown>) => {
      try {
        return `${name}: ${JSON.stringify(await read())}`;
      } catch (error) {
        return `${name}: unavailable (${(error as Error).message})`;
      }
    };
    const metrics = async (service: 'billing' | 'entitlements') => {
      const text = await (await fetch(`${this.platform.urls[service]}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('tollgate_jetstream_') || l.startsWith('tollgate_nats_'))
        .join('; ');
    };
    return [
      await part('billing outbox unpublished', async () => {
        const r = await this.pg.query(
          `SELECT count(*) AS n, min(created_at) AS oldest FROM billing.outbox WHERE published_at IS NULL`,
        );
        return r.rows[0];
      }),
      await part(`entitlements row of ${tenantId}`, async () => {
        const r = await this.pg.query(
          `SELECT plan, state, subscription_version, revision, updated_at FROM entitlements.tenant_entitlements
            WHERE tenant_id = $1`,
          [tenantId],
        );
        return r.rows[0] ?? null;
      }),
      await part('billing subscription', async () => {
        const r = await this.api('GET', '/v1/billing', this.ownerToken(tenantId));
        return { http: r.status, plan: r.body.plan, status: r.body.status, error: r.body.error };
      }),
      await part('entitlements consumer of BILLING_EVENTS', async () => {
        const nc = await connectNats({ servers: this.nats.url, timeout: 2000 });
        try {
          const jsm = await nc.jetstreamManager();
          const stream = `${this.nats.namespace}_${STREAMS.billingEvents.name}`;
          const info = await jsm.consumers.info(stream, 'entitlements');
          const state = (await jsm.streams.info(stream)).state;
          return {
            streamLastSeq: state.last_seq,
            delivered: info.delivered.stream_seq,
            ackFloor: info.ack_floor.stream_seq,
            pending: info.num_pending,
            ackPending: info.num_ack_pending,
            waiting: info.num_waiting,
            redelivered: info.num_redelivered,
          };
        } finally {
          await nc.close();
        }
      }),
      await part('entitlements metrics', () => metrics('entitlements')),
      await part('billing metrics', () => metrics('billing')),
    ].join('\n');
  }

  async comparableState(tenantId: string): Promise<ComparableState> {
    const res = await this.api('GET', '/v1/billing', this.ownerToken(tenantId));
    if (res.status !== 200) throw new Error(`GET /v1/billing for ${tenantId}: ${JSON.stringify(res.body)}`);
    const b = res.body;
    return {
      plan: b.plan,
      interval: b.interval,
      status: b.status,
      cancelPending: b.cancelAt !== null,
      seats: b.seats,
      paymentMethod: b.paymentMethod,
      dunningStage: b.dunning?.stage,
    };
  }

  /** Billing's mirrored subscription rows against Stripe's own objects, field by field; [] when they agree. */
  async mirrorDifferences(customer: string): Promise<string[]> {
    const truth = await this.stripe.subscriptions.list({ customer, status: 'all', limit: 100 });
    const rows = await this.pg.query<{
      stripe_subscription_id: string;
      stripe_status: string;
      plan: string;
      interval: string;
      purchased_seats: number;
      cancel_at_period_end: boolean;
      current_period_end: Date | null;
    }>(`SELECT * FROM billing.subscriptions WHERE stripe_customer_id = $1`, [customer]);
    const problems: string[] = [];
    if (rows.rows.length !== truth.data.length)
      problems.push(`${customer}: ${rows.rows.length} rows for ${truth.data.length} Stripe subscriptions`);
    for (const sub of truth.data) {
      const row = rows.rows.find((r) => r.stripe_subscription_id === sub.id);
      if (!row) {
        problems.push(`${sub.id}: no row`);
        continue;
      }
      const planItem = sub.items.data.find((i) => !i.price.lookup_key?.startsWith('tollgate_seat_'))!;
      const [, plan, interval] = /^tollgate_([a-z]+)_([a-z]+)$/.exec(planItem.price.lookup_key!)!;
      const seats = sub.items.data
        .filter((i) => i.price.lookup_key?.startsWith('tollgate_seat_'))
        .reduce((n, i) => n + (i.quantity ?? 0), 0);
      const expected = {
        stripe_status: sub.status,
        plan,
        interval,
        purchased_seats: seats,
        cancel_at_period_end: sub.cancel_at_period_end,
        current_period_end: planItem.current_period_end * 1000,
      };
      const actual = {
        stripe_status: row.stripe_status,
        plan: row.plan,
        interval: row.interval,
        purchased_seats: row.purchased_seats,
        cancel_at_period_end: row.cancel_at_period_end,
        current_period_end: row.current_period_end?.getTime(),
      };
      if (JSON.stringify(expected) !== JSON.stringify(actual))
        problems.push(`${sub.id}: Stripe ${JSON.stringify(expected)} vs billing ${JSON.stringify(actual)}`);
    }
    return problems;
  }

  async setFaults(faults: Record<string, number>): Promise<void> {
    const res = await fetch(`${this.platform.urls.emulator}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    if (!res.ok) throw new Error(`emulator config: ${res.status} ${await res.text()}`);
  }

  async deliveries(): Promise<Delivery[]> {
    return (await (await fetch(`${this.platform.urls.emulator}/_emulator/deliveries`)).json()) as Delivery[];
  }

  /** Waits until the emulator has delivered (2xx) every event it has emitted so far. */
  async awaitDeliveriesDone(timeoutMs = 30_000): Promise<void> {
    await eventually(
      async () => {
        const delivered = new Set((await this.deliveries()).filter((d) => d.ok).map((d) => d.eventId));
        for await (const event of this.stripe.events.list({ limit: 100 }))
          if (!delivered.has(event.id)) return false;
        return true;
      },
      { timeoutMs, intervalMs: 200, what: 'every emitted event delivered' },
    );
  }

  /** One sample of a Prometheus counter (summed over label sets matching `labels`). */
  async metric(
    service: 'webhooks' | 'billing',
    name: string,
    labels: Record<string, string> = {},
  ): Promise<number> {
    const text = await (await fetch(`${this.platform.urls[service]}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      const match = /^([a-z_]+)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const set = match[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3]);
    }
    return sum;
  }

  /** Caught mail, newest first. */
  async mail(): Promise<CaughtMail[]> {
    return (await (await fetch(`${this.platform.urls.smtpHttp}/api/messages`)).json()) as CaughtMail[];
  }

  /**
   * The effects that must happen once per event, counted where a second application would show:
   * invoice.changed outbox rows per causing event, and audit entries per (event, action, content).
   * Answers the ones seen more than once. (Emails are checked per cause, against notifications' own rows.)
   */
  async repeatedEffects(eventIds: string[]): Promise<string[]> {
    const invoices = await this.pg.query<{ cause: string; n: string }>(
      `SELECT payload->>'cause' AS cause, count(*) AS n FROM billing.outbox
        WHERE subject = 'billing.invoice.changed.v1' AND payload->>'cause' = ANY($1)
        GROUP BY 1 HAVING count(*) > 1`,
      [eventIds],
    );
    const audit = await this.pg.query<{ key: string; n: string }>(
      `SELECT concat_ws(' ', actor_id, action) AS key, count(*) AS n FROM billing.audit_log
        WHERE actor_id = ANY($1) GROUP BY actor_id, action, before, after HAVING count(*) > 1`,
      [eventIds],
    );
    return [
      ...invoices.rows.map((r) => `invoice.changed for ${r.cause} ×${r.n}`),
      ...audit.rows.map((r) => `audit ${r.key} ×${r.n}`),
    ];
  }

  /**
   * One email per cause: waits until notifications has sent one email for each distinct (tenant, kind,
   * cause) billing asked for, then answers the caught mail of those tenants (which should be as many).
   */
  async awaitOneEmailPerCause(
    tenantIds: string[],
    timeoutMs: number,
  ): Promise<{ causes: number; mail: CaughtMail[] }> {
    const causes = Number(
      (
        await this.pg.query<{ n: string }>(
          `SELECT count(DISTINCT concat_ws(' ', payload->>'tenantId', payload->>'kind', payload->>'cause')) AS n
             FROM billing.outbox
            WHERE subject = 'billing.notification.requested.v1' AND payload->>'tenantId' = ANY($1)`,
          [tenantIds],
        )
      ).rows[0].n,
    );
    await eventually(
      async () => {
        const sent = await this.pg.query<{ n: string }>(
          `SELECT count(*) AS n FROM notifications.deliveries WHERE tenant_id = ANY($1) AND status = 'sent'`,
          [tenantIds],
        );
        return Number(sent.rows[0].n) === causes;
      },
      { timeoutMs, what: `${causes} emails sent` },
    );
    const recipients = tenantIds.map((id) => `billing@${id}.example`);
    const mail = (await this.mail()).filter((m) => recipients.some((r) => JSON.stringify(m.to).includes(r)));
    return { causes, mail };
  }
}

export function customerOf(event: Stripe.Event): string | null {
  const object = event.data.object as {
    object?: string;
    id?: string;
    customer?: string | { id: string } | null;
  };
  if (object.object === 'customer') return object.id ?? null;
  const customer = object.customer;
  return typeof customer === 'string' ? customer : (customer?.id ?? null);
}

/** Event types the webhooks allowlist publishes (the default STRIPE_EVENT_ALLOWLIST); others never reach billing. */
export function reachesBilling(event: Stripe.Event): boolean {
  return /^(checkout\.session|customer|invoice|invoice_payment|payment_method|payment_intent)\./.test(
    event.type,
  );
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
