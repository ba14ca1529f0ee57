/**
 * An in-process billing service against the real Postgres and NATS and an in-process Stripe emulator. Stripe
 * events are read from the emulator's Events API and published to JetStream the way the webhooks service
 * does (verbatim, Nats-Msg-Id = event id), so tests choose the order and the duplicates.
 */
import type { INestApplication } from '@nestjs/common';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import {
  BillingEvent,
  BillingSubject,
  STREAMS,
  stripeEventSubject,
  type Actor,
  type PlanId,
  type SubscriptionChangedEvent,
} from '@tollgate/contracts';
import { consumeDurable, encodeJson, type NatsBus } from '@tollgate/messaging';
import { runService } from '@tollgate/service-runtime';
import { createStripeClient } from '@tollgate/stripe-client';
import {
  connectTestBus,
  createTestDatabase,
  deleteNamespaceStreams,
  eventually,
  metricSample,
  TEST_NATS_URL,
  testNamespace,
  type TestDatabase,
} from '@tollgate/testing';
import { startEmulator, type RunningEmulator } from '../../stripe-emulator/src/emulator';
import { billingDefinition } from '../src/billing.definition';

export const operator: Actor = { type: 'operator', id: 'op-1', role: 'operator' };
export const owner = (id = 'user-1'): Actor => ({ type: 'user', id, role: 'owner' });

export interface PublishedEvent {
  subject: string;
  payload: Record<string, unknown>;
}

export class BillingHarness {
  app!: INestApplication;
  bus!: NatsBus;
  db!: TestDatabase;
  ds!: DataSource;
  emulator!: RunningEmulator;
  stripe!: Stripe;
  readonly published: PublishedEvent[] = [];
  /** Nats-Msg-Id of every message the observer received: the outbox row id, as billing's relay publishes it. */
  private readonly observed = new Set<string>();
  private readonly forwarded = new Set<string>();
  private readonly replicas: INestApplication[] = [];
  private env: Record<string, string> = {};

  async start(
    options: { emulator?: Parameters<typeof startEmulator>[0]; env?: Record<string, string> } = {},
  ): Promise<void> {
    this.emulator = await startEmulator({ port: 0, ...options.emulator });
    this.db = await createTestDatabase();
    const namespace = testNamespace();
    this.bus = await connectTestBus(namespace);
    this.env = {
      DATABASE_URL: this.db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: namespace,
      STRIPE_SECRET_KEY: 'sk_test_billing',
      STRIPE_API_BASE: this.emulator.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      BILLING_OUTBOX_POLL_MS: '50',
      BILLING_SCHEDULER_POLL_MS: '100',
      DATABASE_POOL_SIZE: '8',
      ...options.env,
    };
    this.app = await runService(billingDefinition, { port: 0, env: this.env });
    this.ds = this.app.get(DataSource);
    this.stripe = createStripeClient({ secretKey: 'sk_test_billing', apiBase: this.emulator.url });
    await consumeDurable(this.bus, {
      stream: STREAMS.billingEvents,
      durable: 'billing-test-observer',
      handler: async (m) => {
        this.published.push({ subject: m.subject, payload: m.json() });
        if (m.msgId) this.observed.add(m.msgId);
      },
    });
  }

  /**
   * Waits until the observer has received every domain event billing has committed to its outbox so far. Only
   * after it can a test say a message was not published (a second receipt, say): the relay publishes in
   * batches, so seeing the first of two messages says nothing about the second.
   */
  async outboxObserved(): Promise<void> {
    let missing = 0;
    await eventually(
      async () => {
        const rows: { id: string }[] = await this.ds.query(`SELECT id FROM billing.outbox`);
        missing = rows.filter((r) => !this.observed.has(r.id)).length;
        return missing === 0;
      },
      { what: 'the observer to receive every outbox message', timeoutMs: 15_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message} (${missing} not received)`);
    });
  }

  /** The value of a sample in billing's /metrics, null when absent. */
  metric(name: string, labels: Record<string, string> = {}): Promise<number | null> {
    const { port } = (this.app.getHttpServer() as { address(): { port: number } }).address();
    return metricSample(`http://127.0.0.1:${port}`, name, labels);
  }

  /** Another billing process on the same database and NATS namespace (a second replica). */
  async startReplica(): Promise<void> {
    this.replicas.push(await runService(billingDefinition, { port: 0, env: this.env }));
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas) await replica.close();
    await this.app?.close();
    await deleteNamespaceStreams(this.bus).catch(() => undefined);
    await this.bus?.close(1000);
    await this.db?.drop();
    await this.emulator?.stop();
  }

  /** Stripe events of one customer not forwarded yet, oldest first. */
  async newEventsOf(customerId: string): Promise<Stripe.Event[]> {
    const out: Stripe.Event[] = [];
    for await (const event of this.stripe.events.list({ limit: 100 })) {
      if (this.forwarded.has(event.id)) continue;
      const object = event.data.object as {
        object?: string;
        id?: string;
        customer?: string | { id: string } | null;
      };
      // A detached payment method names its former customer only in previous_attributes.
      const ref =
        object.customer ??
        (event.data.previous_attributes as { customer?: string | { id: string } } | undefined)?.customer;
      const customer = object.object === 'customer' ? object.id : typeof ref === 'string' ? ref : ref?.id;
      if (customer === customerId) out.push(event);
    }
    // The Events API lists newest first; reverse, then a stable sort keeps same-second events in order.
    return out.reverse().sort((a, b) => a.created - b.created);
  }

  async publish(events: Stripe.Event[]): Promise<void> {
    for (const event of events) {
      this.forwarded.add(event.id);
      await this.bus.publishRaw(stripeEventSubject(event.type), encodeJson(event), { msgId: event.id });
    }
  }

  /** Delivers events again past the broker's duplicate window (a Stripe retry days later): billing's dedupe. */
  async redeliver(events: Stripe.Event[], round: string): Promise<void> {
    for (const event of events)
      await this.bus.publishRaw(stripeEventSubject(event.type), encodeJson(event), {
        msgId: `${event.id}:${round}`,
      });
  }

  /** Waits until billing's Stripe event consumer has nothing pending or unacknowledged. */
  async stripeEventsConsumed(): Promise<void> {
    await eventually(
      async () => {
        const info = await this.bus.jsm.consumers.info(this.bus.streamName(STREAMS.stripeEvents), 'billing');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { what: 'the Stripe events consumed' },
    );
  }

  /** Forwards a customer's new Stripe events (as the webhooks service would) and waits until billing applied them. */
  async settle(customerId: string): Promise<Stripe.Event[]> {
    const events = await this.newEventsOf(customerId);
    await this.publish(events);
    await eventually(() => this.processed(events.map((e) => e.id)), {
      what: 'events processed',
      timeoutMs: 15_000,
    });
    return events;
  }

  /** Moves a Stripe test clock to `to` (unix seconds) and waits until Stripe has done everything due. */
  async advanceClock(clockId: string, to: number): Promise<void> {
    await this.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: to });
    await eventually(
      async () => (await this.stripe.testHelpers.testClocks.retrieve(clockId)).status === 'ready',
      { what: `test clock ${clockId} ready`, timeoutMs: 15_000 },
    );
  }

  async configureEmulator(config: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.emulator.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    if (!response.ok) throw new Error(`emulator config failed: ${response.status} ${await response.text()}`);
  }

  /**
   * A tenant on its own test clock (starting at `start`, unix seconds) with a paid monthly subscription: checkout,
   * then the clock runs through the 14-day trial and the first invoice (paid an hour after the trial ends).
   */
  async paidOnClock(
    id: string,
    plan: PlanId,
    start: number,
    timeZone = 'Europe/Berlin',
  ): Promise<{ customer: string; clock: string; subscriptionId: string; trialEnd: number }> {
    const clock = await this.stripe.testHelpers.testClocks.create({ frozen_time: start });
    const tenant = await this.bus.request(BillingSubject.CreateTenant, {
      actor: operator,
      id,
      name: `Tenant ${id}`,
      billingEmail: `billing@${id}.test`,
      timeZone,
      testClock: clock.id,
    });
    const customer = tenant.stripeCustomerId!;
    const { sessionId } = await this.bus.request(BillingSubject.CreateCheckout, {
      actor: owner(),
      tenantId: id,
      plan,
      interval: 'month',
      idempotencyKey: 'checkout',
    });
    await this.completeCheckout(sessionId);
    const subscription = (await this.stripe.subscriptions.list({ customer, limit: 1 })).data[0];
    const trialEnd = subscription.trial_end!;
    await this.advanceClock(clock.id, trialEnd + 2 * 3600);
    await this.settle(customer);
    return { customer, clock: clock.id, subscriptionId: subscription.id, trialEnd };
  }

  changes(tenantId: string): SubscriptionChangedEvent[] {
    return this.published
      .filter((e) => e.subject === BillingEvent.SubscriptionChanged && e.payload.tenantId === tenantId)
      .map((e) => e.payload as unknown as SubscriptionChangedEvent);
  }

  notifications(tenantId: string, kind?: string): PublishedEvent[] {
    return this.published.filter(
      (e) =>
        e.subject === BillingEvent.NotificationRequested &&
        e.payload.tenantId === tenantId &&
        (!kind || e.payload.kind === kind),
    );
  }

  async processed(eventIds: string[]): Promise<boolean> {
    const rows: { n: string }[] = await this.ds.query(
      `SELECT count(*) AS n FROM billing.processed_events WHERE event_id = ANY($1)`,
      [eventIds],
    );
    return Number(rows[0].n) === new Set(eventIds).size;
  }

  /** Ends a trial now and pays the first invoice (Stripe would auto-advance the draft about an hour later). */
  async endTrial(subscriptionId: string): Promise<void> {
    await this.stripe.subscriptions.update(subscriptionId, { trial_end: 'now' });
    await eventually(
      async () => (await this.stripe.subscriptions.retrieve(subscriptionId)).status === 'active',
      {
        what: 'the trial to end at Stripe',
      },
    );
    const drafts = await eventually(
      async () => {
        const list = await this.stripe.invoices.list({
          subscription: subscriptionId,
          status: 'draft',
          limit: 10,
        });
        return list.data.length > 0 && list.data;
      },
      { what: 'the first invoice after the trial' },
    );
    for (const draft of drafts) await this.stripe.invoices.pay(draft.id);
  }

  async completeCheckout(sessionId: string, paymentMethod = 'pm_card_visa'): Promise<void> {
    const response = await fetch(`${this.emulator.url}/_emulator/checkout/${sessionId}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentMethod }),
    });
    if (!response.ok)
      throw new Error(`completing checkout failed: ${response.status} ${await response.text()}`);
  }
}
