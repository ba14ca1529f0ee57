import { ReconciliationDifferenceEntity } from './reconciliation-difference.entity';
import { ReconciliationLeaseEntity } from './reconciliation-lease.entity';
import { ReconciliationRunEntity } from './reconciliation-run.entity';
import { ReconciliationSeenEntity } from './reconciliation-seen.entity';

export {
  ReconciliationDifferenceEntity,
  ReconciliationLeaseEntity,
  ReconciliationRunEntity,
  ReconciliationSeenEntity,
};
export type { PhaseProgress, RunProgress } from './reconciliation-run.entity';

export const reconciliationEntities = [
  ReconciliationRunEntity,
  ReconciliationDifferenceEntity,
  ReconciliationSeenEntity,
  ReconciliationLeaseEntity,
];
