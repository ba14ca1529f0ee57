/**
 * How runs behave as runs: one at a time (the lease), a run killed with SIGKILL resumes from its checkpoints,
 * and requests stay inside the budget, backing off when Stripe answers 429.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_NATS_URL, eventually } from '@tollgate/testing';
import { ReconciliationHarness, STRIPE_KEY } from './reconciliation-harness';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = resolve(ROOT, 'scripts/reconcile.ts');

/** `npm run reconcile` from its TypeScript sources (transpiled on load), as a process we can SIGKILL. */
const BOOTSTRAP = `
const fs = require('fs');
const ts = require('typescript');
const root = ${JSON.stringify(ROOT)};
const { compilerOptions } = require(root + '/tsconfig.json');
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
const { options } = ts.convertCompilerOptionsFromJson({ ...compilerOptions, isolatedModules: true, sourceMap: false }, root);
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
require('reflect-metadata');
require(process.argv[1]).main(process.argv.slice(2)).then((code) => process.exit(code));
`;

const TENANTS = 6;

describe('reconciliation runs: lease, resume after SIGKILL, rate limits', () => {
  const h = new ReconciliationHarness();
  beforeAll(async () => {
    await h.start();
    for (let i = 0; i < TENANTS; i++) await h.tenantWithSubscription(`run-${i}`);
  }, 90_000);
  afterAll(() => h.stop());

  const emulatorConfig = (body: object) =>
    fetch(`${h.emulator.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('lets one of two concurrent runs work; the other is skipped and changes nothing', async () => {
    const [x, y] = await Promise.all([
      h.reconciler().run({ dryRun: false, trigger: 'x' }),
      h.reconciler().run({ dryRun: false, trigger: 'y' }),
    ]);
    const statuses = [x.status, y.status].sort();
    expect(statuses).toEqual(['completed', 'skipped']);
    const skipped = x.status === 'skipped' ? x : y;
    expect(skipped.lastError).toMatch(/holds the lease/);
    const runs = await h.sql(`SELECT trigger FROM billing.reconciliation_runs`);
    expect(runs).toHaveLength(1);
  });

  it('resumes a run killed with SIGKILL from its checkpoints once its lease expires', async () => {
    const child = spawn(process.execPath, ['-e', BOOTSTRAP, SCRIPT], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: h.db.url,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: h.namespace,
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_API_BASE: h.emulator.url,
        LOG_LEVEL: 'silent',
        RECONCILE_CATCH_UP: 'false',
        RECONCILE_PAGE_SIZE: '1',
        RECONCILE_RATE_PER_SECOND: '4',
        // Long enough that the refusal below still sees the dead run's lease on a loaded machine.
        RECONCILE_LEASE_TTL_MS: '8000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise((done) => child.once('exit', done));
    const killedAt = await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`reconcile exited early: ${output}`);
        const rows = await h.sql<{ id: string; pages: number }>(
          `SELECT id, (progress->'phases'->'subscriptions'->>'pages')::int AS pages FROM billing.reconciliation_runs
           WHERE status = 'running'`,
        );
        return rows[0] && rows[0].pages >= 2 && rows[0].pages < TENANTS && rows[0];
      },
      { what: 'the script to checkpoint two pages', timeoutMs: 60_000, intervalMs: 20 },
    );
    child.kill('SIGKILL');
    await exited;

    // Its lease outlives it: a run now is refused, not run twice.
    const refused = await h.reconciler({ RECONCILE_PAGE_SIZE: 1 }).run({ dryRun: false, trigger: 'test' });
    expect(refused).toMatchObject({ status: 'skipped', id: killedAt.id });

    const resumed = await eventually(
      async () => {
        const run = await h.reconciler({ RECONCILE_PAGE_SIZE: 1 }).run({ dryRun: false, trigger: 'test' });
        return run.status === 'completed' && run;
      },
      { what: 'the lease to expire and the run to resume', timeoutMs: 40_000, intervalMs: 250 },
    );
    expect(resumed).toMatchObject({ id: killedAt.id, attempts: 2, status: 'completed' });
    // Every subscription exactly once: the walk went on from the checkpoint, one object per page.
    const phases = await h.sql<{ p: { pages: number; objects: number; done: boolean } }>(
      `SELECT progress->'phases'->'subscriptions' AS p FROM billing.reconciliation_runs WHERE id = $1`,
      [killedAt.id],
    );
    expect(phases[0].p).toMatchObject({ pages: TENANTS, objects: TENANTS, done: true });
    expect(resumed.report!.objects).toMatchObject({ subscriptions: TENANTS, customers: TENANTS });
    expect(await h.sql(`SELECT 1 FROM billing.reconciliation_seen WHERE run_id = $1`, [killedAt.id])).toEqual(
      [],
    );
  }, 90_000);

  // How close a run comes to the floor the budget sets is a benchmark figure (npm run bench), not a test.
  it('keeps to the request budget', async () => {
    const run = await h.reconciler({ RECONCILE_PAGE_SIZE: 1, RECONCILE_RATE_PER_SECOND: 10 }).run({
      dryRun: true,
      trigger: 'test',
    });
    const { stripeRequests, durationMs } = run.report!;
    expect(stripeRequests).toBeGreaterThanOrEqual(3 * TENANTS);
    // A GCRA bucket with no burst: request n goes no earlier than n / rate after the first.
    expect(stripeRequests - 1).toBeLessThanOrEqual((durationMs / 1000) * 10 + 0.5);
  });

  it('backs off when Stripe answers 429 and still completes', async () => {
    await emulatorConfig({ rateLimitPerSecond: 3 });
    try {
      const run = await h.reconciler({ RECONCILE_PAGE_SIZE: 2, RECONCILE_RATE_PER_SECOND: 50 }).run({
        dryRun: true,
        trigger: 'test',
      });
      expect(run.status).toBe('completed');
      expect(run.report!.rateLimited).toBeGreaterThan(0);
      expect(run.report!.objects).toMatchObject({ subscriptions: TENANTS, customers: TENANTS });
    } finally {
      await emulatorConfig({ rateLimitPerSecond: 0 });
    }
  }, 60_000);
});
