import { ReconciliationSubject, type ReconciliationRun } from '@tollgate/contracts';
import { eventually } from '@tollgate/testing';
import { operator, ReconciliationHarness } from './reconciliation-harness';

describe('reconciliation: drift found, repaired or reported', () => {
  const h = new ReconciliationHarness();
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  const differencesOf = async (run: ReconciliationRun) =>
    (await h.bus.request(ReconciliationSubject.GetRun, { runId: run.id, differences: 1000 })).differences!;
  const subscriptions = () => h.sql(`SELECT * FROM billing.subscriptions ORDER BY stripe_subscription_id`);
  const auditCount = async () =>
    Number((await h.sql<{ n: string }>(`SELECT count(*) AS n FROM billing.audit_log`))[0].n);

  it('reports drift made behind Tollgate’s back in a dry run without changing anything, then repairs it through the projection, audited', async () => {
    const a = await h.tenantWithSubscription('drift-a');
    const b = await h.tenantWithSubscription('drift-b');
    const c = await h.tenantWithSubscription('drift-c');
    const d = await h.tenantWithSubscription('drift-d');
    // The baseline: nothing differs yet.
    const clean = await h.reconciler().run({ dryRun: false, trigger: 'test' });
    expect(clean).toMatchObject({ status: 'completed', report: { found: {}, repaired: 0, pending: 0 } });

    await h.sql(
      `UPDATE billing.subscriptions SET state = 'past_due', stripe_status = 'past_due' WHERE stripe_subscription_id = $1`,
      [a.subscriptionId],
    );
    await h.sql(
      `UPDATE billing.subscriptions SET plan = 'business', purchased_seats = 4 WHERE stripe_subscription_id = $1`,
      [b.subscriptionId],
    );
    await h.sql(
      `UPDATE billing.subscriptions SET current_period_end = current_period_end - interval '9 days' WHERE stripe_subscription_id = $1`,
      [c.subscriptionId],
    );
    await h.sql(`DELETE FROM billing.subscriptions WHERE stripe_subscription_id = $1`, [d.subscriptionId]);
    await h.sql(`UPDATE billing.tenants SET credit_balance = 700 WHERE id = 'drift-a'`);
    const before = await subscriptions();
    const audits = await auditCount();

    const dry = await h.reconciler().run({ dryRun: true, trigger: 'test' });
    expect(dry.report).toMatchObject({
      found: { status_differs: 1, plan_differs: 1, period_differs: 1, missing_locally: 1, details_differ: 1 },
      repaired: 0,
      pending: 5,
      catchUp: { status: 'skipped' },
    });
    expect((await differencesOf(dry)).map((x) => [x.tenantId, x.kind, x.status]).sort()).toEqual([
      ['drift-a', 'details_differ', 'would_repair'],
      ['drift-a', 'status_differs', 'would_repair'],
      ['drift-b', 'plan_differs', 'would_repair'],
      ['drift-c', 'period_differs', 'would_repair'],
      ['drift-d', 'missing_locally', 'would_repair'],
    ]);
    expect(await subscriptions()).toEqual(before);
    expect(await auditCount()).toBe(audits);

    const repair = await h.reconciler().run({ dryRun: false, trigger: 'test' });
    expect(repair.report).toMatchObject({ repaired: 5, pending: 0, catchUp: { status: 'done' } });
    expect(await h.subscriptionRow(a.subscriptionId)).toMatchObject({
      state: 'active',
      stripe_status: 'active',
    });
    expect(await h.subscriptionRow(b.subscriptionId)).toMatchObject({ plan: 'pro', purchased_seats: 0 });
    const stripeC = await h.stripe.subscriptions.retrieve(c.subscriptionId);
    expect((await h.subscriptionRow(c.subscriptionId))!.current_period_end.getTime()).toBe(
      stripeC.items.data[0].current_period_end * 1000,
    );
    expect(await h.subscriptionRow(d.subscriptionId)).toMatchObject({
      tenant_id: 'drift-d',
      state: 'active',
    });
    expect((await h.sql(`SELECT credit_balance FROM billing.tenants WHERE id = 'drift-a'`))[0]).toEqual({
      credit_balance: 0,
    });
    // Through the projection: its own audit entry names the synthetic cause, and ours the repair.
    const repairs = await h.sql<{ tenant_id: string; after: { cause: string } }>(
      `SELECT tenant_id, after FROM billing.audit_log WHERE action = 'reconciliation.repaired' ORDER BY id`,
    );
    expect(repairs.map((r) => r.tenant_id).sort()).toEqual([
      'drift-a',
      'drift-a',
      'drift-b',
      'drift-c',
      'drift-d',
    ]);
    const cause = repairs.find((r) => r.tenant_id === 'drift-a')!.after.cause;
    expect(cause).toMatch(/^evt_reconcile_/);
    expect(
      await h.sql(
        `SELECT 1 FROM billing.audit_log WHERE action = 'subscription.state_changed' AND after->>'cause' = $1`,
        [`evt_reconcile_${repair.id.replace(/-/g, '')}_${a.subscriptionId}`],
      ),
    ).toHaveLength(1);
    // The entitlements hear of it like after any webhook.
    expect(
      await h.sql(
        `SELECT 1 FROM billing.outbox WHERE subject = 'billing.subscription.changed.v1' AND payload->>'tenantId' = 'drift-a' AND payload->>'cause' LIKE 'evt_reconcile_%'`,
      ),
    ).not.toHaveLength(0);

    const again = await h.reconciler().run({ dryRun: false, trigger: 'test' });
    expect(again.report).toMatchObject({ found: {}, repaired: 0, pending: 0 });
  });

  it('catches up events whose deliveries were lost before the diff, so the pipeline repairs them, not the diff', async () => {
    const e = await h.tenantWithSubscription('lost-e');
    await h.webhooksDisabled(true);
    await h.stripe.subscriptions.update(e.subscriptionId, { cancel_at_period_end: true });
    await h.webhooksDisabled(false);
    expect(await h.subscriptionRow(e.subscriptionId)).toMatchObject({ cancel_at_period_end: false });

    const run = await h.reconciler().run({ dryRun: false, trigger: 'test' });
    expect(run.report!.catchUp).toMatchObject({ status: 'done' });
    expect(run.report!.catchUp!.fed).toBeGreaterThanOrEqual(1);
    const row = await h.subscriptionRow(e.subscriptionId);
    expect(row).toMatchObject({ cancel_at_period_end: true, state: 'canceled_pending' });
    expect(row!.last_event_id).toMatch(/^evt_(?!reconcile)/);
    expect((await differencesOf(run)).filter((x) => x.tenantId === 'lost-e')).toEqual([]);
  });

  it('reports a duplicate live subscription and a subscription of an unknown tenant for an operator, and their age grows', async () => {
    const g = await h.tenantWithSubscription('dup-g');
    const second = await h.subscribe(g.customerId, 'tollgate_business_month');
    const stranger = await h.stripe.customers.create({ email: 'stranger@example.com' });
    const strangers = await h.subscribe(stranger.id);

    const first = await h.reconciler().run({ dryRun: false, trigger: 'test' });
    const found = (await differencesOf(first)).map((x) => ({
      object: x.objectId,
      kind: x.kind,
      status: x.status,
      tenant: x.tenantId,
    }));
    expect(found).toEqual(
      expect.arrayContaining([
        { object: g.customerId, kind: 'duplicate_live', status: 'reported', tenant: 'dup-g' },
        { object: strangers, kind: 'unknown_tenant', status: 'reported', tenant: null },
      ]),
    );
    // Nothing was "repaired" for the tenant holding two live subscriptions.
    expect(found.filter((x) => x.tenant === 'dup-g' && x.status === 'repaired')).toEqual([]);
    expect((await h.subscriptionRow(g.subscriptionId))!.state).toBe('active');
    expect(await h.subscriptionRow(second)).toBeUndefined();
    expect(first.report!.found).toMatchObject({ duplicate_live: 1, unknown_tenant: 1 });

    const later = await h.reconciler().run({ dryRun: false, trigger: 'test' });
    const again = await differencesOf(later);
    const firstSeen = (await differencesOf(first)).find((x) => x.kind === 'duplicate_live')!.firstSeenAt;
    expect(again.find((x) => x.kind === 'duplicate_live')!.firstSeenAt).toBe(firstSeen);
    expect(later.report!.oldestUnrepairedSeconds).toBeGreaterThanOrEqual(0);

    expect(await h.metric('tollgate_billing_reconciliation_drift_found', { kind: 'duplicate_live' })).toBe(1);
    expect(await h.metric('tollgate_billing_reconciliation_drift_pending')).toBe(later.report!.pending);
    expect(
      await h.metric('tollgate_billing_reconciliation_oldest_unrepaired_seconds'),
    ).toBeGreaterThanOrEqual(0);
    expect(await h.metric('tollgate_billing_reconciliation_last_run_duration_seconds')).toBeGreaterThan(0);
  });

  it('runs from the operator subject in the background; the report is readable and listed', async () => {
    const started = await h.bus.request(ReconciliationSubject.Run, { actor: operator, dryRun: true });
    expect(started).toMatchObject({ status: 'running', dryRun: true, trigger: 'operator:op-1' });
    const done = await eventually(
      async () => {
        const run = await h.bus.request(ReconciliationSubject.GetRun, { runId: started.id });
        return run.status === 'completed' && run;
      },
      { what: 'the operator run to complete', timeoutMs: 30_000 },
    );
    expect(done.report).toMatchObject({ repaired: 0, catchUp: { status: 'skipped' } });
    expect(done.report!.durationMs).toBeGreaterThan(0);
    const list = await h.bus.request(ReconciliationSubject.ListRuns, { limit: 2 });
    expect(list.data[0].id).toBe(started.id);
    expect(list.nextCursor).not.toBeNull();
    await expect(
      h.bus.request(ReconciliationSubject.GetRun, { runId: '00000000-0000-0000-0000-000000000000' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
