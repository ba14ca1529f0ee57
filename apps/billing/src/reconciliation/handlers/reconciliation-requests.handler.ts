/**
 * The operator's reconciliation subjects (queue group `billing`): start a run (answered at once, the run
 * goes on in this process), list runs, read one run's report and differences. On shutdown the run of this
 * process stops at its next checkpoint and stays resumable.
 */
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  ReconcileRunGetRequest,
  ReconcileRunRequest,
  ReconcileRunsListRequest,
  ReconciliationSubject,
} from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { BILLING_QUEUE } from '../../handlers/billing-requests.handler';
import { differenceView, runView } from '../repositories/reconciliation.repository';
import { ReconciliationService } from '../services/reconciliation.service';

@Injectable()
export class ReconciliationRequestsHandler implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly bus: NatsBus,
    private readonly reconciliation: ReconciliationService,
  ) {}

  onApplicationBootstrap(): void {
    const queue = { queue: BILLING_QUEUE };
    const repo = this.reconciliation.repo;
    this.bus.serve(
      ReconciliationSubject.Run,
      ReconcileRunRequest,
      (r) =>
        this.reconciliation.start({
          dryRun: r.dryRun ?? false,
          trigger: `${r.actor.type}:${r.actor.id}`,
        }),
      queue,
    );
    this.bus.serve(
      ReconciliationSubject.ListRuns,
      ReconcileRunsListRequest,
      async (r) => {
        const { rows, next } = await repo.list(r.cursor, r.limit ?? 20);
        return { data: rows.map(runView), nextCursor: next };
      },
      queue,
    );
    this.bus.serve(
      ReconciliationSubject.GetRun,
      ReconcileRunGetRequest,
      async (r) => {
        const run = await repo.find(r.runId);
        if (!run) throw new DomainError(ErrorCode.NotFound, `no reconciliation run ${r.runId}`);
        const differences = r.differences
          ? (await repo.differences(run.id, r.differences)).map(differenceView)
          : [];
        return { ...runView(run), ...(r.differences ? { differences } : {}) };
      },
      queue,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.reconciliation.stop();
  }
}
