/**
 * Usage counters. Admission policy: a hard limit is enforced by one conditional UPDATE
 * (`SET used = used + q WHERE used + q <= limit RETURNING used`): Postgres row-locks the counter and
 * re-evaluates the condition after any concurrent writer commits, so concurrent requests at the limit admit
 * exactly up to it and no update is lost. The idempotency record is inserted in the same transaction, so a
 * refused attempt leaves nothing recorded (only a row in usage_refusals) and a retried key answers the
 * decision stored the first time.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntitlementDecision } from '@tollgate/contracts';

export type RecordOutcome =
  | { kind: 'recorded'; usedBefore: number; finish: (decision: EntitlementDecision) => Promise<void> }
  | { kind: 'replayed'; feature: string; quantity: number; decision: EntitlementDecision }
  | { kind: 'refused'; used: number };

export interface RecordInput {
  tenantId: string;
  feature: string;
  quantity: number;
  idempotencyKey: string;
  windowStart: Date;
  /** The hard limit to admit up to; null for soft limits (always counted). */
  hardLimit: number | null;
  limit: number;
}

@Injectable()
export class UsageRepository {
  constructor(private readonly ds: DataSource) {}

  async used(tenantId: string, feature: string, windowStart: Date): Promise<number> {
    const rows = await this.ds.query<{ used: string }[]>(
      `SELECT used FROM entitlements.usage_counters WHERE tenant_id = $1 AND feature = $2 AND window_start = $3`,
      [tenantId, feature, windowStart],
    );
    return rows[0] ? Number(rows[0].used) : 0;
  }

  /**
   * Counts `quantity` unless it would pass the hard limit. On `recorded`, the caller computes the decision and
   * calls `finish(decision)`, which stores it with the idempotency record and commits.
   */
  async record(input: RecordInput): Promise<RecordOutcome> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    let open = false;
    try {
      await runner.startTransaction('READ COMMITTED');
      open = true;
      const claimed = (await runner.query(
        `INSERT INTO entitlements.usage_records (tenant_id, idempotency_key, feature, quantity, window_start, decision)
         VALUES ($1, $2, $3, $4, $5, '{}'::jsonb) ON CONFLICT DO NOTHING RETURNING 1`,
        [input.tenantId, input.idempotencyKey, input.feature, input.quantity, input.windowStart],
      )) as unknown[];
      if (claimed.length === 0) {
        const prior = (await runner.query(
          `SELECT feature, quantity, decision FROM entitlements.usage_records WHERE tenant_id = $1 AND idempotency_key = $2`,
          [input.tenantId, input.idempotencyKey],
        )) as { feature: string; quantity: number; decision: EntitlementDecision }[];
        await runner.rollbackTransaction();
        open = false;
        const row = prior[0];
        return { kind: 'replayed', feature: row.feature, quantity: row.quantity, decision: row.decision };
      }
      await runner.query(
        `INSERT INTO entitlements.usage_counters (tenant_id, feature, window_start) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [input.tenantId, input.feature, input.windowStart],
      );
      const updated = (await runner.query(
        `UPDATE entitlements.usage_counters SET used = used + $4, updated_at = now()
         WHERE tenant_id = $1 AND feature = $2 AND window_start = $3 AND ($5::bigint IS NULL OR used + $4 <= $5::bigint)
         RETURNING used`,
        [input.tenantId, input.feature, input.windowStart, input.quantity, input.hardLimit],
      )) as unknown[];
      // TypeORM returns [rows, count] for UPDATE ... RETURNING on postgres.
      const rows = (Array.isArray(updated[0]) ? updated[0] : updated) as { used: string }[];
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        open = false;
        // On the same connection: a second pool connection while holding this one could starve the pool.
        const current = (await runner.query(
          `SELECT used FROM entitlements.usage_counters WHERE tenant_id = $1 AND feature = $2 AND window_start = $3`,
          [input.tenantId, input.feature, input.windowStart],
        )) as { used: string }[];
        const used = current[0] ? Number(current[0].used) : 0;
        await runner.query(
          `INSERT INTO entitlements.usage_refusals (tenant_id, feature, window_start, quantity, used, limit_value, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            input.tenantId,
            input.feature,
            input.windowStart,
            input.quantity,
            used,
            input.limit,
            input.idempotencyKey,
          ],
        );
        return { kind: 'refused', used };
      }
      const usedAfter = Number(rows[0].used);
      return {
        kind: 'recorded',
        usedBefore: usedAfter - input.quantity,
        finish: async (decision) => {
          try {
            await runner.query(
              `UPDATE entitlements.usage_records SET decision = $3 WHERE tenant_id = $1 AND idempotency_key = $2`,
              [input.tenantId, input.idempotencyKey, JSON.stringify(decision)],
            );
            await runner.commitTransaction();
            open = false;
          } finally {
            if (open) await runner.rollbackTransaction().catch(() => undefined);
            await runner.release();
          }
        },
      };
    } catch (error) {
      if (open) await runner.rollbackTransaction().catch(() => undefined);
      open = false;
      throw error;
    } finally {
      if (!open && !runner.isReleased) await runner.release();
    }
  }

  /** Usage and refused attempts per (feature, window). */
  async view(
    tenantId: string,
    windows: { feature: string; windowStart: Date }[],
  ): Promise<Map<string, { used: number; refused: number }>> {
    const rows = await this.ds.query<{ feature: string; used: string; refused: string }[]>(
      `SELECT w.feature, COALESCE(c.used, 0) AS used,
              (SELECT count(*) FROM entitlements.usage_refusals r
                WHERE r.tenant_id = $1 AND r.feature = w.feature AND r.window_start = w.ws) AS refused
         FROM unnest($2::text[], $3::timestamptz[]) AS w(feature, ws)
         LEFT JOIN entitlements.usage_counters c
           ON c.tenant_id = $1 AND c.feature = w.feature AND c.window_start = w.ws`,
      [tenantId, windows.map((w) => w.feature), windows.map((w) => w.windowStart)],
    );
    return new Map(rows.map((r) => [r.feature, { used: Number(r.used), refused: Number(r.refused) }]));
  }
}
