/**
 * Group commit: each caller submits one item and awaits that item's own result; items that arrive while
 * earlier flushes are still running are written together, in one statement and one commit.
 * - A flush starts as soon as a slot is free (at most `maxConcurrent` at once) and takes every item submitted
 *   meanwhile, up to `maxBatch`. There is no timer: an idle service adds no delay, and under load the batches
 *   grow by themselves while the previous commits wait for their WAL flush.
 * - A failed flush rejects every item in it: nothing is reported written that was not committed.
 * - `minIntervalMs` (default 0) spaces flushes out: for bookkeeping off the answer path, where fewer, larger
 *   statements matter more than how soon each item is written.
 */
export interface GroupCommitOptions {
  maxBatch: number;
  maxConcurrent: number;
  minIntervalMs?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export class GroupCommitBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = 0;
  private scheduled = false;
  private lastFlushAt = -Infinity;
  private idle: (() => void)[] = [];

  /** `flush` answers one result per item, in the same order. */
  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been flushed (successfully or not). */
  settled(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.options.maxConcurrent || this.queue.length === 0) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.lastFlushAt = performance.now();
      while (this.running < this.options.maxConcurrent && this.queue.length > 0) {
        this.running++;
        void this.run(this.queue.splice(0, this.options.maxBatch));
      }
    };
    const wait = this.lastFlushAt + (this.options.minIntervalMs ?? 0) - performance.now();
    // One turn of the event loop lets every request already read in this I/O phase join the batch.
    if (wait <= 0) setImmediate(start);
    else setTimeout(start, wait);
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.flush(batch.map((p) => p.item));
      if (results.length !== batch.length)
        throw new Error(`a flush of ${batch.length} items answered ${results.length} results`);
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.running--;
      this.schedule();
      if (this.running === 0 && this.queue.length === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }
}
