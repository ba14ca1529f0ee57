/**
 * Retention: one mechanism for every table that would otherwise grow for ever (webhooks' inbox, billing's
 * effect records and sent outbox rows). Each table names how long it keeps a row (days; 0 keeps it for ever)
 * and how to delete a batch of rows older than a time. Every `intervalMs`, each replica runs a pass over the
 * tables: oldest first, `batch` rows per statement, so that no transaction holds many locks for long, until a
 * statement deletes fewer than a batch. The statements are expected to skip rows another replica is deleting
 * (`FOR UPDATE SKIP LOCKED`), so replicas pruning at once do not wait on each other.
 * As a Nest provider (or a provider's base class), it starts with the application and stops before the
 * database closes.
 */
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { PeriodicPass } from './periodic-pass';

const DAY_MS = 86_400_000;
const BATCH = 5000;
/** The first pass waits at most this long after boot, so that a rolling restart does not prune from every pod at once. */
const FIRST_PASS_DELAY_MS = 60_000;

export interface RetainedTable {
  /** What the logs and the metric's `table` label call it. */
  name: string;
  /** How long a row is kept, in days; 0 keeps rows for ever. */
  days: number;
  /** Deletes up to `limit` rows past the retention (older than `before`); answers how many it deleted. */
  prune(before: Date, limit: number): Promise<number>;
}

/** The oldest time a row may have and still be kept; null when rows are kept for ever. */
export function retentionHorizon(days: number, now = new Date()): Date | null {
  return days > 0 ? new Date(now.getTime() - days * DAY_MS) : null;
}

export class RetentionPasses implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly passes: PeriodicPass;
  private stopped = false;

  constructor(
    private readonly tables: readonly RetainedTable[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
    /** Told how many rows each statement deleted (for a counter). */
    private readonly onPruned: (table: string, rows: number) => void,
    private readonly batch = BATCH,
  ) {
    this.passes = new PeriodicPass(
      'retention',
      async () => void (await this.pruneOnce()),
      intervalMs,
      logger,
    );
  }

  /** Starts the passes, unless every table keeps its rows for ever. */
  start(): void {
    if (this.tables.some((table) => table.days > 0))
      this.passes.start(Math.min(FIRST_PASS_DELAY_MS, this.intervalMs));
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Starts no further pass or statement, and resolves once the statement under way (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.passes.stop();
  }

  /** One pass over every table, as of `now`; answers how many rows each lost. */
  async pruneOnce(now = new Date()): Promise<Record<string, number>> {
    const pruned: Record<string, number> = {};
    for (const table of this.tables) pruned[table.name] = await this.pruneTable(table, now);
    return pruned;
  }

  private async pruneTable(table: RetainedTable, now: Date): Promise<number> {
    const before = retentionHorizon(table.days, now);
    if (!before) return 0;
    let pruned = 0;
    while (!this.stopped) {
      const deleted = await table.prune(before, this.batch);
      pruned += deleted;
      this.onPruned(table.name, deleted);
      if (deleted < this.batch) break;
    }
    if (pruned > 0)
      this.logger.info(
        { table: table.name, pruned, before: before.toISOString() },
        'rows past retention deleted',
      );
    return pruned;
  }
}
