/**
 * A reconciliation run: Stripe and Tollgate compared, drift repaired or reported.
 *
 * 1. Lease: one run at a time across every process (a Postgres row with heartbeats). A run that died keeps
 *    its lease until it expires; the next run then resumes it from its checkpoints (bounded attempts).
 * 2. Catch-up (not in a dry run): events Stripe's Events API has and the webhook inbox never saw go through
 *    the webhook pipeline first; we wait for billing's consumer to project them.
 * 3. Walks, concurrently, through one rate limiter: customers, subscriptions (all statuses), recent invoices,
 *    100 per page; each page's findings, seen ids and cursor commit together.
 * 4. Lookups: local rows no walk listed are retrieved one by one (missing in Stripe, or classified as found).
 * 5. Duplicates: customers with two live subscriptions are reported, and their other findings held.
 * 6. Repair (not in a dry run): each safe finding is applied through the webhook projection as a synthetic
 *    event carrying the object as listed (created = when it was listed): the projection's dedupe makes a
 *    resumed repair a no-op and its out-of-order guard lets any newer event win. Every repair is audited.
 * 7. Report: counts per kind and outcome, duration, requests; seen ids are dropped.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Stripe from 'stripe';
import { In, type DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { ReconciliationReport, ReconciliationRun } from '@tollgate/contracts';
import { InvoiceEntity, SubscriptionEntity, TenantEntity } from '../../entities';
import { AuditRepository } from '../../repositories/audit.repository';
import type { CatalogPrices } from '../../services/catalog-sync.service';
import type { ProjectionOutcome, StripeEventProjector } from '../../services/stripe-event.projector';
import type { CatchUpPort } from '../adapters/catch-up.adapter';
import { ReconcileStripeAdapter, type ListPage } from '../adapters/reconcile-stripe.adapter';
import { ReconciliationRunEntity, type PhaseProgress, type RunProgress } from '../entities';
import type { ReconciliationDifferenceEntity } from '../entities';
import {
  ReconciliationRepository,
  runView,
  type NewDifference,
  type ObjectType,
  type Seen,
} from '../repositories/reconciliation.repository';
import type { ReconciliationSettings } from '../reconciliation.settings';
import {
  classifyCustomer,
  classifyInvoice,
  classifySubscription,
  duplicateLive,
  missingInStripe,
  viewSubscription,
  type Finding,
} from './drift.classifier';
import { RequestRateLimiter } from './request-rate.limiter';

export interface ReconcileOptions {
  dryRun: boolean;
  trigger: string;
}

export interface ReconciliationDeps {
  ds: DataSource;
  stripe: Stripe;
  projector: StripeEventProjector;
  prices: CatalogPrices;
  catchUp: CatchUpPort | null;
  logger: Logger;
  settings: ReconciliationSettings;
}

class Aborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Aborted';
  }
}

interface RunCtx {
  run: ReconciliationRunEntity;
  progress: RunProgress;
  holder: string;
  stripe: ReconcileStripeAdapter;
  baseRequests: number;
  baseRateLimited: number;
  previousRunId: string | null;
  abort: AbortController;
}

const WALKS = ['customers', 'subscriptions', 'invoices'] as const;
const LOOKUP_BATCH = 100;
/** Customers this young may belong to a tenant whose creation is still committing. */
const YOUNG_CUSTOMER_MS = 60_000;

const emptyPhase = (): PhaseProgress => ({ cursor: null, done: false, pages: 0, objects: 0 });
const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;

export class ReconciliationService {
  readonly repo: ReconciliationRepository;
  private readonly audit = new AuditRepository();
  private active: { ctx: RunCtx; done: Promise<ReconciliationRun> } | null = null;

  constructor(private readonly deps: ReconciliationDeps) {
    this.repo = new ReconciliationRepository(deps.ds);
  }

  private get settings(): ReconciliationSettings {
    return this.deps.settings;
  }

  /** Runs to the end (or answers `skipped` when another run holds the lease). */
  async run(options: ReconcileOptions): Promise<ReconciliationRun> {
    const begun = await this.begin(options);
    return 'skipped' in begun ? begun.skipped : begun.done;
  }

  /** Starts a run in the background and answers its record at once (or `skipped`). */
  async start(options: ReconcileOptions): Promise<ReconciliationRun> {
    const begun = await this.begin(options);
    if ('skipped' in begun) return begun.skipped;
    begun.done.catch(() => undefined);
    return runView(begun.ctx.run);
  }

  /** Stops the run of this process at its next checkpoint, leaving it resumable, and releases the lease. */
  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.ctx.abort.abort(new Aborted('stopped'));
    await active.done.catch(() => undefined);
  }

  private async begin(
    options: ReconcileOptions,
  ): Promise<{ skipped: ReconciliationRun } | { ctx: RunCtx; done: Promise<ReconciliationRun> }> {
    const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const ttl = this.settings.RECONCILE_LEASE_TTL_MS;
    if (!(await this.repo.acquireLease(holder, ttl))) {
      const lease = await this.repo.leaseHolder();
      const now = new Date().toISOString();
      return {
        skipped: {
          id: lease?.runId ?? '',
          status: 'skipped',
          dryRun: options.dryRun,
          trigger: options.trigger,
          startedAt: now,
          finishedAt: now,
          attempts: 0,
          lastError: `another reconciliation run holds the lease (${lease?.holder ?? 'unknown'} until ${lease?.expiresAt.toISOString() ?? 'now'})`,
          report: null,
        },
      };
    }
    try {
      const run = await this.openRun(options);
      const previous = await this.repo.lastCompleted();
      const ctx: RunCtx = {
        run,
        progress: run.progress,
        holder,
        stripe: new ReconcileStripeAdapter(
          this.deps.stripe,
          new RequestRateLimiter({
            ratePerSecond: this.settings.RECONCILE_RATE_PER_SECOND,
            burst: this.settings.RECONCILE_BURST,
          }),
          this.settings.RECONCILE_RATE_LIMIT_RETRIES,
        ),
        baseRequests: run.progress.stripeRequests,
        baseRateLimited: run.progress.rateLimited,
        previousRunId: previous && previous.id !== run.id ? previous.id : null,
        abort: new AbortController(),
      };
      await this.repo.heartbeat(holder, ttl, run.id);
      const done = this.execute(ctx);
      this.active = { ctx, done };
      void done
        .finally(() => {
          if (this.active?.ctx === ctx) this.active = null;
        })
        .catch(() => undefined);
      return { ctx, done };
    } catch (error) {
      await this.repo.releaseLease(holder);
      throw error;
    }
  }

  /** Resumes the unfinished run if it is the same kind and has attempts left; otherwise starts a new one. */
  private async openRun(options: ReconcileOptions): Promise<ReconciliationRunEntity> {
    const unfinished = await this.repo.unfinished();
    if (unfinished) {
      if (
        unfinished.dryRun === options.dryRun &&
        unfinished.attempts < this.settings.RECONCILE_MAX_ATTEMPTS
      ) {
        await this.repo.resume(unfinished.id);
        this.deps.logger.info(
          { run: unfinished.id, progress: unfinished.progress },
          'reconciliation resumed',
        );
        return Object.assign(unfinished, { attempts: unfinished.attempts + 1, lastError: null });
      }
      await this.repo.setStatus(
        unfinished.id,
        'failed',
        unfinished.lastError ?? 'interrupted and not resumed (attempts exhausted or another kind of run)',
      );
    }
    const run = Object.assign(new ReconciliationRunEntity(), {
      id: randomUUID(),
      status: 'running',
      dryRun: options.dryRun,
      trigger: options.trigger,
      startedAt: new Date(),
      finishedAt: null,
      attempts: 1,
      lastError: null,
      progress: { phases: {}, stripeRequests: 0, rateLimited: 0 },
      report: null,
    } satisfies ReconciliationRunEntity);
    await this.repo.create(run);
    this.deps.logger.info(
      { run: run.id, dryRun: run.dryRun, trigger: run.trigger },
      'reconciliation started',
    );
    return run;
  }

  private async execute(ctx: RunCtx): Promise<ReconciliationRun> {
    const ttl = this.settings.RECONCILE_LEASE_TTL_MS;
    const heartbeat = setInterval(
      () => {
        this.repo
          .heartbeat(ctx.holder, ttl, ctx.run.id)
          .then((held) => {
            if (!held) ctx.abort.abort(new Aborted('lost the lease'));
          })
          .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'lease heartbeat failed'));
      },
      Math.max(100, Math.floor(ttl / 3)),
    );
    try {
      await this.catchUpPhase(ctx);
      await Promise.all(WALKS.map((phase) => this.walk(ctx, phase)));
      await Promise.all((['customer', 'subscription', 'invoice'] as const).map((t) => this.lookups(ctx, t)));
      await this.duplicates(ctx);
      if (!ctx.run.dryRun) await this.repair(ctx);
      const report = await this.report(ctx);
      await this.repo.complete(ctx.run.id, report);
      Object.assign(ctx.run, { status: 'completed', finishedAt: new Date(), report });
      this.deps.logger.info({ run: ctx.run.id, ...report }, 'reconciliation completed');
      return runView(ctx.run);
    } catch (thrown) {
      const error = ctx.abort.signal.aborted ? (ctx.abort.signal.reason as Error) : (thrown as Error);
      const exhausted = ctx.run.attempts >= this.settings.RECONCILE_MAX_ATTEMPTS;
      const message = `${error.name}: ${error.message}`;
      await this.repo
        .setStatus(ctx.run.id, exhausted && !(error instanceof Aborted) ? 'failed' : 'running', message)
        .catch(() => undefined);
      Object.assign(ctx.run, { lastError: message });
      this.deps.logger.error({ run: ctx.run.id, err: thrown }, 'reconciliation interrupted');
      throw error;
    } finally {
      clearInterval(heartbeat);
      await this.repo.releaseLease(ctx.holder).catch(() => undefined);
    }
  }

  private checkAbort(ctx: RunCtx): void {
    if (ctx.abort.signal.aborted) throw ctx.abort.signal.reason as Error;
  }

  private requests(ctx: RunCtx) {
    return {
      requests: ctx.baseRequests + ctx.stripe.requests,
      rateLimited: ctx.baseRateLimited + ctx.stripe.rateLimited,
    };
  }

  // ---- 2. catch-up ---------------------------------------------------------------------------------------

  private async catchUpPhase(ctx: RunCtx): Promise<void> {
    if (ctx.progress.catchUp) return;
    let result: ReconciliationReport['catchUp'];
    if (ctx.run.dryRun || this.settings.RECONCILE_CATCH_UP !== 'true' || !this.deps.catchUp)
      result = { status: 'skipped' };
    else {
      const now = Math.floor(Date.now() / 1000);
      const floor = now - this.settings.RECONCILE_CATCH_UP_MAX_LOOKBACK_SECONDS;
      const previous = await this.repo.lastCompleted({ dryRun: false });
      const since = previous
        ? Math.max(
            floor,
            Math.floor(previous.startedAt.getTime() / 1000) -
              this.settings.RECONCILE_CATCH_UP_OVERLAP_SECONDS,
          )
        : floor;
      try {
        const reply = await this.deps.catchUp.catchUp(since);
        const drained = await this.deps.catchUp.drained(this.settings.RECONCILE_DRAIN_TIMEOUT_MS);
        result = {
          status: 'done',
          listed: reply.listed,
          fed: reply.fed,
          ...(drained ? {} : { error: 'billing had not projected every fed event by the deadline' }),
        };
      } catch (error) {
        // The diff still repairs from Stripe's current objects; the report says catch-up did not happen.
        this.deps.logger.warn({ err: error }, 'reconciliation catch-up failed');
        result = { status: 'failed', error: (error as Error).message };
      }
    }
    ctx.progress.catchUp = result;
    ctx.progress.invoicesSince ??=
      Math.floor(Date.now() / 1000) - this.settings.RECONCILE_INVOICE_LOOKBACK_DAYS * 86_400;
    await this.repo.setProgress(ctx.run.id, 'invoicesSince', ctx.progress.invoicesSince);
    await this.repo.setProgress(ctx.run.id, 'catchUp', result);
  }

  // ---- 3. walks ------------------------------------------------------------------------------------------

  /**
   * One list, page by page from the checkpoint. The next page is requested as soon as this one's last id is
   * known, so classifying and committing a page overlaps the next request (the walk is otherwise sequential:
   * each cursor comes from the page before).
   */
  private async walk(ctx: RunCtx, phase: (typeof WALKS)[number]): Promise<void> {
    let progress = ctx.progress.phases[phase] ?? emptyPhase();
    if (progress.done) return;
    const size = this.settings.RECONCILE_PAGE_SIZE;
    const fetch = (cursor: string | null): Promise<{ observedAt: Date; page: ListPage<{ id: string }> }> => {
      const observedAt = new Date();
      const request =
        phase === 'subscriptions'
          ? ctx.stripe.subscriptions(cursor, size)
          : phase === 'customers'
            ? ctx.stripe.customers(cursor, size)
            : ctx.stripe.invoices(ctx.progress.invoicesSince ?? 0, cursor, size);
      const fetched = request.then((page) => ({ observedAt, page }));
      fetched.catch(() => undefined); // awaited below, unless the walk stops first
      return fetched;
    };
    let next = fetch(progress.cursor);
    while (!progress.done) {
      this.checkAbort(ctx);
      const { observedAt, page } = await next;
      const done = !page.hasMore || page.data.length === 0;
      const cursor = page.data.at(-1)?.id ?? progress.cursor;
      if (!done) next = fetch(cursor);
      const found =
        phase === 'subscriptions'
          ? await this.subscriptionsFound(ctx, page.data as Stripe.Subscription[], observedAt)
          : phase === 'customers'
            ? await this.customersFound(ctx, page.data as Stripe.Customer[], observedAt)
            : await this.invoicesFound(ctx, page.data as Stripe.Invoice[], observedAt);
      this.checkAbort(ctx);
      progress = {
        cursor,
        done,
        pages: progress.pages + 1,
        objects: progress.objects + page.data.length,
      };
      await this.repo.commitPage({
        runId: ctx.run.id,
        previousRunId: ctx.previousRunId,
        phase,
        progress,
        ...found,
        ...this.requests(ctx),
      });
      ctx.progress.phases[phase] = progress;
    }
  }

  private difference(
    ctx: RunCtx,
    base: Omit<NewDifference, 'status' | 'kind' | 'safe' | 'detail'>,
    f: Finding,
  ): NewDifference {
    return {
      ...base,
      kind: f.kind,
      safe: f.safe,
      detail: f.detail,
      status: !f.safe ? 'reported' : ctx.run.dryRun ? 'would_repair' : 'pending',
      stripeObject: f.safe ? base.stripeObject : null,
    };
  }

  private async tenantsByCustomer(customerIds: string[]): Promise<Map<string, TenantEntity>> {
    if (customerIds.length === 0) return new Map();
    const rows = await this.deps.ds.manager.findBy(TenantEntity, { stripeCustomerId: In(customerIds) });
    return new Map(rows.map((t) => [t.stripeCustomerId!, t]));
  }

  private async subscriptionsFound(ctx: RunCtx, subscriptions: Stripe.Subscription[], observedAt: Date) {
    const seen: Seen[] = [];
    const differences: NewDifference[] = [];
    const tenants = await this.tenantsByCustomer([...new Set(subscriptions.map((s) => idOf(s.customer)!))]);
    const locals =
      subscriptions.length === 0
        ? []
        : await this.deps.ds.manager.findBy(SubscriptionEntity, {
            stripeSubscriptionId: In(subscriptions.map((s) => s.id)),
          });
    const localById = new Map(locals.map((l) => [l.stripeSubscriptionId, l]));
    for (const subscription of subscriptions) {
      const customerId = idOf(subscription.customer)!;
      const tenant = tenants.get(customerId) ?? null;
      const view = viewSubscription(subscription, this.deps.prices.resolve);
      seen.push({
        objectType: 'subscription',
        objectId: subscription.id,
        stripeCustomerId: customerId,
        live: tenant !== null && view.live,
      });
      // Neither our customer nor our prices: not a Tollgate subscription.
      if (!tenant && !view.ok) continue;
      const f = classifySubscription({
        view,
        tenantId: tenant?.id ?? null,
        local: localById.get(subscription.id) ?? null,
        observedAt,
      });
      if (f)
        differences.push(
          this.difference(
            ctx,
            {
              objectType: 'subscription',
              objectId: subscription.id,
              tenantId: tenant?.id ?? null,
              stripeCustomerId: customerId,
              stripeObject: subscription,
              observedAt,
            },
            f,
          ),
        );
    }
    return { seen, differences };
  }

  private async customersFound(ctx: RunCtx, customers: Stripe.Customer[], observedAt: Date) {
    const tenants = await this.tenantsByCustomer(customers.map((c) => c.id));
    const seen: Seen[] = [];
    const differences: NewDifference[] = [];
    for (const customer of customers) {
      seen.push({
        objectType: 'customer',
        objectId: customer.id,
        stripeCustomerId: customer.id,
        live: false,
      });
      const tenant = tenants.get(customer.id) ?? null;
      if (!tenant && customer.created * 1000 > ctx.run.startedAt.getTime() - YOUNG_CUSTOMER_MS) continue;
      const f = classifyCustomer({
        customer,
        local: tenant
          ? {
              tenantId: tenant.id,
              creditBalance: tenant.creditBalance,
              paymentMethodId: tenant.paymentMethodId,
            }
          : null,
      });
      if (f)
        differences.push(
          this.difference(
            ctx,
            {
              objectType: 'customer',
              objectId: customer.id,
              tenantId: tenant?.id ?? customer.metadata?.tenant_id ?? null,
              stripeCustomerId: customer.id,
              stripeObject: customer,
              observedAt,
            },
            f,
          ),
        );
    }
    return { seen, differences };
  }

  private async invoicesFound(ctx: RunCtx, invoices: Stripe.Invoice[], observedAt: Date) {
    const tenants = await this.tenantsByCustomer([...new Set(invoices.map((i) => idOf(i.customer)!))]);
    const ids = invoices.map((i) => i.id);
    const locals =
      ids.length === 0 ? [] : await this.deps.ds.manager.findBy(InvoiceEntity, { stripeInvoiceId: In(ids) });
    const localById = new Map(locals.map((l) => [l.stripeInvoiceId, l]));
    const seen: Seen[] = [];
    const differences: NewDifference[] = [];
    for (const invoice of invoices) {
      const customerId = idOf(invoice.customer)!;
      seen.push({ objectType: 'invoice', objectId: invoice.id, stripeCustomerId: customerId, live: false });
      const tenant = tenants.get(customerId);
      // Invoices of customers Tollgate cannot place are reported once, at the customer.
      if (!tenant) continue;
      const f = classifyInvoice({ invoice, local: localById.get(invoice.id) ?? null, observedAt });
      if (f)
        differences.push(
          this.difference(
            ctx,
            {
              objectType: 'invoice',
              objectId: invoice.id,
              tenantId: tenant.id,
              stripeCustomerId: customerId,
              stripeObject: invoice,
              observedAt,
            },
            f,
          ),
        );
    }
    return { seen, differences };
  }

  // ---- 4. local rows no walk listed ----------------------------------------------------------------------

  private async lookups(ctx: RunCtx, objectType: ObjectType): Promise<void> {
    const since = new Date((ctx.progress.invoicesSince ?? 0) * 1000);
    for (;;) {
      this.checkAbort(ctx);
      const ids = await this.repo.unseenLocal(ctx.run.id, objectType, ctx.run.startedAt, since, LOOKUP_BATCH);
      if (ids.length === 0) return;
      const seen: Seen[] = [];
      const differences: NewDifference[] = [];
      for (const id of ids) {
        this.checkAbort(ctx);
        const observedAt = new Date();
        const found =
          objectType === 'subscription'
            ? await ctx.stripe.subscription(id)
            : objectType === 'customer'
              ? await ctx.stripe.customer(id)
              : await ctx.stripe.invoice(id);
        if (found) {
          const result =
            objectType === 'subscription'
              ? await this.subscriptionsFound(ctx, [found as Stripe.Subscription], observedAt)
              : objectType === 'customer'
                ? await this.customersFound(ctx, [found as Stripe.Customer], observedAt)
                : await this.invoicesFound(ctx, [found as Stripe.Invoice], observedAt);
          seen.push(...result.seen);
          differences.push(...result.differences);
          continue;
        }
        seen.push({ objectType, objectId: id, stripeCustomerId: null, live: false });
        differences.push(await this.missing(ctx, objectType, id, observedAt));
      }
      await this.repo.recordLookups(ctx.run.id, ctx.previousRunId, seen, differences);
      await this.repo.addRequests(ctx.run.id, this.requests(ctx).requests, this.requests(ctx).rateLimited);
    }
  }

  private async missing(
    ctx: RunCtx,
    objectType: ObjectType,
    id: string,
    observedAt: Date,
  ): Promise<NewDifference> {
    const em = this.deps.ds.manager;
    let tenantId: string | null = null;
    let customerId: string | null = null;
    let local: Record<string, unknown> = {};
    if (objectType === 'subscription') {
      const row = await em.findOneBy(SubscriptionEntity, { stripeSubscriptionId: id });
      tenantId = row?.tenantId ?? null;
      customerId = row?.stripeCustomerId ?? null;
      local = { state: row?.state, plan: row?.plan };
    } else if (objectType === 'customer') {
      const row = await em.findOneBy(TenantEntity, { stripeCustomerId: id });
      tenantId = row?.id ?? null;
      customerId = id;
    } else {
      const row = await em.findOneBy(InvoiceEntity, { stripeInvoiceId: id });
      tenantId = row?.tenantId ?? null;
      customerId = row?.stripeCustomerId ?? null;
      local = { status: row?.status, total: row?.total };
    }
    return this.difference(
      ctx,
      { objectType, objectId: id, tenantId, stripeCustomerId: customerId, stripeObject: null, observedAt },
      missingInStripe({ local }),
    );
  }

  // ---- 5. duplicates -------------------------------------------------------------------------------------

  private async duplicates(ctx: RunCtx): Promise<void> {
    const groups = await this.repo.duplicateLive(ctx.run.id);
    if (groups.length === 0) return;
    const tenants = await this.tenantsByCustomer(groups.map((g) => g.customerId));
    const observedAt = new Date();
    await this.repo.recordLookups(
      ctx.run.id,
      ctx.previousRunId,
      [],
      groups.map((g) =>
        this.difference(
          ctx,
          {
            objectType: 'customer',
            objectId: g.customerId,
            tenantId: tenants.get(g.customerId)?.id ?? null,
            stripeCustomerId: g.customerId,
            stripeObject: null,
            observedAt,
          },
          duplicateLive(g.subscriptionIds),
        ),
      ),
    );
    for (const g of groups) await this.repo.holdForOperator(ctx.run.id, g.customerId);
  }

  // ---- 6. repair -----------------------------------------------------------------------------------------

  private async repair(ctx: RunCtx): Promise<void> {
    let after = '0';
    for (;;) {
      this.checkAbort(ctx);
      const batch = await this.repo.pending(ctx.run.id, after, 100);
      if (batch.length === 0) return;
      after = batch[batch.length - 1].id;
      const queue = [...batch];
      const worker = async () => {
        for (let d = queue.shift(); d; d = queue.shift()) {
          this.checkAbort(ctx);
          await this.repairOne(ctx, d);
        }
      };
      await Promise.all(Array.from({ length: this.settings.RECONCILE_REPAIR_CONCURRENCY }, worker));
    }
  }

  private async repairOne(ctx: RunCtx, d: ReconciliationDifferenceEntity): Promise<void> {
    const event = syntheticEvent(ctx.run.id, d);
    let outcome: ProjectionOutcome | 'error';
    let error: string | null = null;
    try {
      outcome = await this.deps.projector.project(event);
    } catch (thrown) {
      outcome = 'error';
      error = (thrown as Error).message;
    }
    // 'duplicate': this very repair committed before an interruption.
    const status =
      outcome === 'applied' || outcome === 'duplicate'
        ? 'repaired'
        : outcome === 'stale' || outcome === 'ignored'
          ? 'superseded'
          : 'failed';
    await this.deps.ds.transaction(async (em) => {
      if (
        !(await this.repo.resolve(em, d.id, status, {
          outcome,
          ...(error ? { error } : {}),
          cause: event.id,
        }))
      )
        return;
      const fields = (d.detail.fields ?? {}) as Record<string, { local: unknown; stripe: unknown }>;
      await this.audit.append(em, {
        tenantId: d.tenantId,
        actor: { type: 'system', id: `reconciliation:${ctx.run.id}` },
        action: status === 'failed' ? 'reconciliation.repair_failed' : 'reconciliation.repaired',
        before: {
          kind: d.kind,
          object: d.objectId,
          ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.local])),
        },
        after: {
          outcome,
          cause: event.id,
          ...(error ? { error } : {}),
          ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.stripe])),
        },
      });
    });
    if (status === 'failed')
      this.deps.logger.warn(
        { run: ctx.run.id, difference: d.id, outcome, error },
        'reconciliation repair failed',
      );
  }

  // ---- 7. report -----------------------------------------------------------------------------------------

  private async report(ctx: RunCtx): Promise<ReconciliationReport> {
    const s = await this.repo.summary(ctx.run.id);
    const n = (k: keyof typeof s.byStatus) => s.byStatus[k] ?? 0;
    const phase = (p: string) => ctx.progress.phases[p]?.objects ?? 0;
    const { requests, rateLimited } = this.requests(ctx);
    return {
      found: s.found,
      repaired: n('repaired'),
      pending: n('pending') + n('reported') + n('would_repair') + n('failed'),
      superseded: n('superseded'),
      catchUp: ctx.progress.catchUp ?? null,
      objects: {
        customers: phase('customers'),
        subscriptions: phase('subscriptions'),
        invoices: phase('invoices'),
      },
      stripeRequests: requests,
      rateLimited,
      durationMs: Date.now() - ctx.run.startedAt.getTime(),
      oldestUnrepairedSeconds: s.oldestUnrepaired
        ? Math.max(0, Math.round((Date.now() - s.oldestUnrepaired.getTime()) / 1000))
        : null,
    };
  }
}

/**
 * The listed object as an event the projection understands. Its id names the run and the object, so a
 * resumed run's second attempt is a duplicate; `created` is when the object was listed, so any event Stripe
 * sent after that wins over it, and it wins over anything older.
 */
export function syntheticEvent(runId: string, d: ReconciliationDifferenceEntity): Stripe.Event {
  const object = d.stripeObject as { status?: string } & Record<string, unknown>;
  const type =
    d.objectType === 'customer'
      ? 'customer.updated'
      : d.objectType === 'invoice'
        ? 'invoice.finalized'
        : object.status === 'canceled' || object.status === 'incomplete_expired'
          ? 'customer.subscription.deleted'
          : 'customer.subscription.updated';
  return {
    id: `evt_reconcile_${runId.replace(/-/g, '')}_${d.objectId}`,
    object: 'event',
    api_version: null,
    created: Math.floor(d.observedAt.getTime() / 1000),
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  } as unknown as Stripe.Event;
}
