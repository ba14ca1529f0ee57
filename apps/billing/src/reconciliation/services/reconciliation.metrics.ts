/**
 * Reconciliation gauges on billing's /metrics, read from the latest completed run at scrape time (runs may
 * happen in a CronJob pod nobody scrapes): drift found per kind, repaired, pending, the age of the oldest
 * unrepaired difference (growing between runs), when the last run finished and how long it took.
 */
import { Gauge } from 'prom-client';
import type { Metrics } from '@tollgate/observability';
import type { ReconciliationRunEntity } from '../entities';
import type { ReconciliationRepository } from '../repositories/reconciliation.repository';

const CACHE_MS = 2000;

export function registerReconciliationMetrics(metrics: Metrics, repo: ReconciliationRepository): void {
  let cached: { at: number; run: Promise<ReconciliationRunEntity | null> } | null = null;
  const latest = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS)
      cached = { at: Date.now(), run: repo.lastCompleted().catch(() => null) };
    return cached.run;
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: (run: ReconciliationRunEntity, set: (value: number, labels?: Record<L, string>) => void) => void,
  ) => {
    if (metrics.registry.getSingleMetric(`tollgate_${name}`)) return;
    new Gauge<L>({
      name: `tollgate_${name}`,
      help,
      labelNames,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const run = await latest();
        if (run?.report) read(run, (value, labels) => (labels ? this.set(labels, value) : this.set(value)));
      },
    });
  };
  gauge(
    'billing_reconciliation_drift_found',
    'Differences the last run found, per kind',
    ['kind'],
    (run, set) => {
      for (const [kind, n] of Object.entries(run.report!.found)) set(n ?? 0, { kind });
    },
  );
  gauge('billing_reconciliation_drift_repaired', 'Differences the last run repaired', [], (run, set) =>
    set(run.report!.repaired),
  );
  gauge('billing_reconciliation_drift_pending', 'Differences the last run left unrepaired', [], (run, set) =>
    set(run.report!.pending),
  );
  gauge(
    'billing_reconciliation_oldest_unrepaired_seconds',
    'Age of the oldest difference still unrepaired (0 when none)',
    [],
    (run, set) => {
      const at = run.report!.oldestUnrepairedSeconds;
      set(at === null ? 0 : at + (Date.now() - (run.finishedAt?.getTime() ?? Date.now())) / 1000);
    },
  );
  gauge('billing_reconciliation_last_run_timestamp_seconds', 'When the last run completed', [], (run, set) =>
    set((run.finishedAt?.getTime() ?? 0) / 1000),
  );
  gauge('billing_reconciliation_last_run_duration_seconds', 'How long the last run took', [], (run, set) =>
    set(run.report!.durationMs / 1000),
  );
}
