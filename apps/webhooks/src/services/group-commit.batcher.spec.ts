import { GroupCommitBatcher } from './group-commit.batcher';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (e: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('GroupCommitBatcher', () => {
  it('writes items submitted in the same turn together and answers each its own result', async () => {
    const flushes: number[][] = [];
    const batcher = new GroupCommitBatcher<number, number>(
      (items) => {
        flushes.push(items);
        return Promise.resolve(items.map((n) => n * 10));
      },
      { maxBatch: 100, maxConcurrent: 1 },
    );
    await expect(Promise.all([1, 2, 3].map((n) => batcher.submit(n)))).resolves.toEqual([10, 20, 30]);
    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it('gathers what arrives while the previous flush runs into the next one, up to maxBatch', async () => {
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const flushes: number[][] = [];
    const batcher = new GroupCommitBatcher<number, number>(
      async (items) => {
        flushes.push(items);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return items;
      },
      { maxBatch: 2, maxConcurrent: 1 },
    );
    const first = batcher.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((r) => setImmediate(r));
    expect(flushes).toEqual([[1]]); // one flush at a time: the others wait
    gates[0].resolve();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(flushes).toEqual([[1], [2, 3]]);
    gates[1].resolve();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    gates[2].resolve();
    await expect(Promise.all(rest)).resolves.toEqual([2, 3, 4]);
    expect(flushes).toEqual([[1], [2, 3], [4]]);
  });

  it('fails every waiting item of a failed flush and none of the next one', async () => {
    let calls = 0;
    const batcher = new GroupCommitBatcher<string, string>(
      (items) => (++calls === 1 ? Promise.reject(new Error('commit failed')) : Promise.resolve(items)),
      { maxBatch: 10, maxConcurrent: 1 },
    );
    const failed = await Promise.allSettled(['a', 'b'].map((s) => batcher.submit(s)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.submit('c')).resolves.toBe('c');
  });

  it('fails the items rather than answer them when a flush miscounts its results', async () => {
    const batcher = new GroupCommitBatcher<number, number>(() => Promise.resolve([1]), {
      maxBatch: 10,
      maxConcurrent: 1,
    });
    const settled = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('settles once everything submitted so far is flushed', async () => {
    const gate = deferred<void>();
    const done: number[] = [];
    const batcher = new GroupCommitBatcher<number, void>(
      async (items) => {
        await gate.promise;
        done.push(...items);
        return items.map(() => undefined);
      },
      { maxBatch: 10, maxConcurrent: 2 },
    );
    await batcher.settled(); // idle: at once
    void batcher.submit(1);
    void batcher.submit(2);
    const settled = batcher.settled();
    gate.resolve();
    await settled;
    expect(done.sort()).toEqual([1, 2]);
  });

  it('spaces flushes at least minIntervalMs apart, gathering what arrives meanwhile', async () => {
    const flushes: { items: number[]; at: number }[] = [];
    const started = performance.now();
    const batcher = new GroupCommitBatcher<number, void>(
      (items) => {
        flushes.push({ items, at: performance.now() - started });
        return Promise.resolve(items.map(() => undefined));
      },
      { maxBatch: 100, maxConcurrent: 1, minIntervalMs: 200 },
    );
    await batcher.submit(1); // the first flush goes at once
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await Promise.all(later);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2, 3, 4]]);
    expect(flushes[1].at - flushes[0].at).toBeGreaterThanOrEqual(195);
  });
});
