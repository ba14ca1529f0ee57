/**
 * Reconciliation's tables: the lease (one run at a time, across processes), runs with their per-phase
 * checkpoints, the objects each run has seen, and the differences. A page's differences, seen objects and
 * cursor commit in one transaction, so a run killed anywhere resumes at the first uncommitted page.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type {
  DifferenceStatus,
  DriftKind,
  ReconciliationDifference,
  ReconciliationReport,
  ReconciliationRun,
} from '@tollgate/contracts';
import {
  ReconciliationDifferenceEntity,
  ReconciliationRunEntity,
  type PhaseProgress,
  type RunProgress,
} from '../entities';

export const LEASE_NAME = 'reconciliation';
const UNREPAIRED: DifferenceStatus[] = ['pending', 'reported', 'would_repair', 'failed'];

export type ObjectType = ReconciliationDifference['objectType'];

export interface NewDifference {
  objectType: ObjectType;
  objectId: string;
  tenantId: string | null;
  stripeCustomerId: string | null;
  kind: DriftKind;
  safe: boolean;
  status: DifferenceStatus;
  detail: Record<string, unknown>;
  stripeObject: object | null;
  observedAt: Date;
}

export interface Seen {
  objectType: ObjectType;
  objectId: string;
  stripeCustomerId: string | null;
  live: boolean;
}

export function runView(row: ReconciliationRunEntity): ReconciliationRun {
  return {
    id: row.id,
    status: row.status,
    dryRun: row.dryRun,
    trigger: row.trigger,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    attempts: row.attempts,
    lastError: row.lastError,
    report: row.report,
  };
}

export function differenceView(row: ReconciliationDifferenceEntity): ReconciliationDifference {
  return {
    id: row.id,
    objectType: row.objectType,
    objectId: row.objectId,
    tenantId: row.tenantId,
    stripeCustomerId: row.stripeCustomerId,
    kind: row.kind,
    safe: row.safe,
    status: row.status,
    detail: row.detail,
    firstSeenAt: row.firstSeenAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

export class ReconciliationRepository {
  constructor(private readonly ds: DataSource) {}

  // ---- lease ---------------------------------------------------------------------------------------------

  /** Takes the lease if nobody holds an unexpired one; true when `holder` now holds it. */
  async acquireLease(holder: string, ttlMs: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO billing.reconciliation_leases AS l (name, holder, run_id, acquired_at, heartbeat_at, expires_at)
       VALUES ($1, $2, NULL, now(), now(), now() + make_interval(secs => $3 / 1000.0))
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, run_id = NULL, acquired_at = now(),
         heartbeat_at = now(), expires_at = EXCLUDED.expires_at
       WHERE l.expires_at < now()
       RETURNING holder`,
      [LEASE_NAME, holder, ttlMs],
    );
    return rows.length === 1;
  }

  /** Extends the lease; false when it was lost (expired and taken by someone else). */
  async heartbeat(holder: string, ttlMs: number, runId: string | null): Promise<boolean> {
    const [, count]: [unknown, number] = await this.ds.query(
      `UPDATE billing.reconciliation_leases SET heartbeat_at = now(),
         expires_at = now() + make_interval(secs => $3 / 1000.0), run_id = COALESCE($4, run_id)
       WHERE name = $1 AND holder = $2`,
      [LEASE_NAME, holder, ttlMs, runId],
    );
    return count === 1;
  }

  async releaseLease(holder: string): Promise<void> {
    await this.ds.query(`DELETE FROM billing.reconciliation_leases WHERE name = $1 AND holder = $2`, [
      LEASE_NAME,
      holder,
    ]);
  }

  async leaseHolder(): Promise<{ holder: string; runId: string | null; expiresAt: Date } | null> {
    const rows: { holder: string; run_id: string | null; expires_at: Date }[] = await this.ds.query(
      `SELECT holder, run_id, expires_at FROM billing.reconciliation_leases WHERE name = $1`,
      [LEASE_NAME],
    );
    return rows[0] ? { holder: rows[0].holder, runId: rows[0].run_id, expiresAt: rows[0].expires_at } : null;
  }

  // ---- runs ----------------------------------------------------------------------------------------------

  unfinished(): Promise<ReconciliationRunEntity | null> {
    return this.ds.manager.findOne(ReconciliationRunEntity, {
      where: { status: 'running' },
      order: { startedAt: 'DESC' },
    });
  }

  lastCompleted(options: { dryRun?: boolean } = {}): Promise<ReconciliationRunEntity | null> {
    return this.ds.manager.findOne(ReconciliationRunEntity, {
      where: { status: 'completed', ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }) },
      order: { finishedAt: 'DESC' },
    });
  }

  find(id: string): Promise<ReconciliationRunEntity | null> {
    return this.ds.manager.findOneBy(ReconciliationRunEntity, { id });
  }

  async list(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ rows: ReconciliationRunEntity[]; next: string | null }> {
    const query = this.ds.manager
      .getRepository(ReconciliationRunEntity)
      .createQueryBuilder('r')
      .orderBy('r.started_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (cursor) {
      const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
      if (!at || !id || Number.isNaN(Date.parse(at))) return { rows: [], next: null };
      query.where('(r.started_at, r.id) < (:at, :id)', { at: new Date(at), id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      rows: page,
      next:
        rows.length > limit && last
          ? Buffer.from(`${last.startedAt.toISOString()}|${last.id}`).toString('base64url')
          : null,
    };
  }

  async create(row: ReconciliationRunEntity): Promise<void> {
    await this.ds.manager.insert(ReconciliationRunEntity, row);
  }

  async resume(id: string): Promise<void> {
    await this.ds.query(
      `UPDATE billing.reconciliation_runs SET attempts = attempts + 1, last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  async setStatus(id: string, status: 'running' | 'failed', lastError: string | null): Promise<void> {
    await this.ds.query(`UPDATE billing.reconciliation_runs SET status = $2, last_error = $3 WHERE id = $1`, [
      id,
      status,
      lastError,
    ]);
  }

  async setProgress(
    id: string,
    key: Exclude<keyof RunProgress, 'phases'>,
    value: unknown,
    em: EntityManager = this.ds.manager,
  ): Promise<void> {
    await em.query(
      `UPDATE billing.reconciliation_runs SET progress = jsonb_set(progress, ARRAY[$2], $3::jsonb) WHERE id = $1`,
      [id, key, JSON.stringify(value)],
    );
  }

  /** The counters only grow: concurrent walks each write their view of the total. */
  async addRequests(
    id: string,
    requests: number,
    rateLimited: number,
    em: EntityManager = this.ds.manager,
  ): Promise<void> {
    await em.query(
      `UPDATE billing.reconciliation_runs SET progress = progress
         || jsonb_build_object('stripeRequests', GREATEST((progress->>'stripeRequests')::int, $2::int))
         || jsonb_build_object('rateLimited', GREATEST((progress->>'rateLimited')::int, $3::int))
       WHERE id = $1`,
      [id, requests, rateLimited],
    );
  }

  async complete(id: string, report: ReconciliationReport): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query(
        `UPDATE billing.reconciliation_runs SET status = 'completed', finished_at = now(), report = $2::jsonb,
           last_error = NULL WHERE id = $1`,
        [id, JSON.stringify(report)],
      );
      await em.query(`DELETE FROM billing.reconciliation_seen WHERE run_id = $1`, [id]);
    });
  }

  // ---- one page: differences + seen objects + checkpoint, atomically -------------------------------------

  async commitPage(input: {
    runId: string;
    previousRunId: string | null;
    phase: string;
    progress: PhaseProgress;
    seen: Seen[];
    differences: NewDifference[];
    requests: number;
    rateLimited: number;
  }): Promise<void> {
    await this.ds.transaction(async (em) => {
      await this.recordSeen(em, input.runId, input.seen);
      await this.insertDifferences(em, input.runId, input.previousRunId, input.differences);
      await em.query(
        `UPDATE billing.reconciliation_runs SET progress = jsonb_set(progress, ARRAY['phases', $2], $3::jsonb)
         WHERE id = $1`,
        [input.runId, input.phase, JSON.stringify(input.progress)],
      );
      await this.addRequests(input.runId, input.requests, input.rateLimited, em);
    });
  }

  private async recordSeen(em: EntityManager, runId: string, seen: Seen[]): Promise<void> {
    if (seen.length === 0) return;
    await em.query(
      `INSERT INTO billing.reconciliation_seen (run_id, object_type, object_id, stripe_customer_id, live)
       SELECT $1, x."objectType", x."objectId", x."stripeCustomerId", x.live
       FROM jsonb_to_recordset($2::jsonb) AS x("objectType" text, "objectId" text, "stripeCustomerId" text, live boolean)
       ON CONFLICT DO NOTHING`,
      [runId, JSON.stringify(seen)],
    );
  }

  /**
   * A difference the previous completed run also left unrepaired keeps its first_seen_at, so the age of the
   * oldest unrepaired difference grows across runs until someone fixes it.
   */
  private async insertDifferences(
    em: EntityManager,
    runId: string,
    previousRunId: string | null,
    differences: NewDifference[],
  ): Promise<void> {
    if (differences.length === 0) return;
    await em.query(
      `INSERT INTO billing.reconciliation_differences (run_id, object_type, object_id, tenant_id,
         stripe_customer_id, kind, safe, status, detail, stripe_object, observed_at, first_seen_at)
       SELECT $1, x."objectType", x."objectId", x."tenantId", x."stripeCustomerId", x.kind, x.safe, x.status,
         x.detail, x."stripeObject", x."observedAt",
         COALESCE((SELECT min(d.first_seen_at) FROM billing.reconciliation_differences d
                   WHERE d.run_id = $2 AND d.object_type = x."objectType" AND d.object_id = x."objectId"
                     AND d.kind = x.kind AND d.status = ANY($4)), x."observedAt")
       FROM jsonb_to_recordset($3::jsonb) AS x("objectType" text, "objectId" text, "tenantId" text,
         "stripeCustomerId" text, kind text, safe boolean, status text, detail jsonb, "stripeObject" jsonb,
         "observedAt" timestamptz)
       ON CONFLICT (run_id, object_type, object_id, kind) DO NOTHING`,
      [runId, previousRunId, JSON.stringify(differences), UNREPAIRED],
    );
  }

  async recordLookups(
    runId: string,
    previousRunId: string | null,
    seen: Seen[],
    differences: NewDifference[],
  ): Promise<void> {
    await this.ds.transaction(async (em) => {
      await this.recordSeen(em, runId, seen);
      await this.insertDifferences(em, runId, previousRunId, differences);
    });
  }

  // ---- local rows a walk did not list --------------------------------------------------------------------

  /** Local ids of `objectType` created before the run that the run has not seen yet (a batch). */
  async unseenLocal(
    runId: string,
    objectType: ObjectType,
    before: Date,
    since: Date | null,
    limit: number,
  ): Promise<string[]> {
    const sql: Record<ObjectType, string> = {
      subscription: `SELECT s.stripe_subscription_id AS id FROM billing.subscriptions s
        WHERE s.created_at < $2 AND NOT EXISTS (SELECT 1 FROM billing.reconciliation_seen x
          WHERE x.run_id = $1 AND x.object_type = 'subscription' AND x.object_id = s.stripe_subscription_id)
        ORDER BY 1 LIMIT $3`,
      customer: `SELECT t.stripe_customer_id AS id FROM billing.tenants t
        WHERE t.stripe_customer_id IS NOT NULL AND t.created_at < $2 AND NOT EXISTS (SELECT 1 FROM billing.reconciliation_seen x
          WHERE x.run_id = $1 AND x.object_type = 'customer' AND x.object_id = t.stripe_customer_id)
        ORDER BY 1 LIMIT $3`,
      invoice: `SELECT i.stripe_invoice_id AS id FROM billing.invoices i
        WHERE i.stripe_created_at < $2 AND i.stripe_created_at >= $4 AND NOT EXISTS (SELECT 1 FROM billing.reconciliation_seen x
          WHERE x.run_id = $1 AND x.object_type = 'invoice' AND x.object_id = i.stripe_invoice_id)
        ORDER BY 1 LIMIT $3`,
    };
    const params: unknown[] = [runId, before, limit];
    if (objectType === 'invoice') params.push(since ?? new Date(0));
    const rows: { id: string }[] = await this.ds.query(sql[objectType], params);
    return rows.map((r) => r.id);
  }

  /** Customers with more than one live subscription among those the run listed. */
  async duplicateLive(runId: string): Promise<{ customerId: string; subscriptionIds: string[] }[]> {
    const rows: { customer_id: string; ids: string[] }[] = await this.ds.query(
      `SELECT stripe_customer_id AS customer_id, array_agg(object_id ORDER BY object_id) AS ids
       FROM billing.reconciliation_seen WHERE run_id = $1 AND object_type = 'subscription' AND live
         AND stripe_customer_id IS NOT NULL
       GROUP BY stripe_customer_id HAVING count(*) > 1`,
      [runId],
    );
    return rows.map((r) => ({ customerId: r.customer_id, subscriptionIds: r.ids }));
  }

  /** Safe differences of a customer with duplicate live subscriptions wait for the operator too. */
  async holdForOperator(runId: string, customerId: string): Promise<void> {
    await this.ds.query(
      `UPDATE billing.reconciliation_differences SET status = 'reported'
       WHERE run_id = $1 AND stripe_customer_id = $2 AND status IN ('pending', 'would_repair')`,
      [runId, customerId],
    );
  }

  // ---- repair ------------------------------------------------------------------------------------------

  pending(runId: string, afterId: string, limit: number): Promise<ReconciliationDifferenceEntity[]> {
    return this.ds.manager
      .getRepository(ReconciliationDifferenceEntity)
      .createQueryBuilder('d')
      .where(`d.run_id = :runId AND d.status = 'pending' AND d.id > :afterId`, { runId, afterId })
      .orderBy('d.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Moves a pending difference to its outcome; false if another attempt already did (a resumed run). */
  async resolve(
    em: EntityManager,
    id: string,
    status: DifferenceStatus,
    outcome: Record<string, unknown>,
  ): Promise<boolean> {
    const [, count]: [unknown, number] = await em.query(
      `UPDATE billing.reconciliation_differences SET status = $2, resolved_at = now(), detail = detail || $3::jsonb
       WHERE id = $1 AND status = 'pending'`,
      [id, status, JSON.stringify(outcome)],
    );
    return count === 1;
  }

  differences(runId: string, limit: number): Promise<ReconciliationDifferenceEntity[]> {
    return this.ds.manager.find(ReconciliationDifferenceEntity, {
      where: { runId },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  /** Counts for the report. */
  async summary(runId: string): Promise<{
    found: Partial<Record<DriftKind, number>>;
    byStatus: Partial<Record<DifferenceStatus, number>>;
    oldestUnrepaired: Date | null;
  }> {
    const kinds: { kind: DriftKind; n: string }[] = await this.ds.query(
      `SELECT kind, count(*) AS n FROM billing.reconciliation_differences WHERE run_id = $1 GROUP BY kind`,
      [runId],
    );
    const statuses: { status: DifferenceStatus; n: string }[] = await this.ds.query(
      `SELECT status, count(*) AS n FROM billing.reconciliation_differences WHERE run_id = $1 GROUP BY status`,
      [runId],
    );
    const oldest: { at: Date | null }[] = await this.ds.query(
      `SELECT min(first_seen_at) AS at FROM billing.reconciliation_differences WHERE run_id = $1 AND status = ANY($2)`,
      [runId, UNREPAIRED],
    );
    return {
      found: Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)])),
      byStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
      oldestUnrepaired: oldest[0]?.at ?? null,
    };
  }
}
