/**
 * `npm run reconcile [-- --dry-run]`: one reconciliation run in this process (what the Kubernetes CronJob
 * runs), with billing's configuration (BillingConfig), against DATABASE_URL, Stripe (STRIPE_SECRET_KEY, STRIPE_API_BASE) and NATS (catch-up through the
 * webhooks service). Prints the run as JSON. Exit 0 when it completed or another run holds the lease (the
 * next schedule tries again), 1 when it was interrupted (the next run resumes it), 2 on bad usage or config.
 * SIGTERM/SIGINT stop it at the next checkpoint and release the lease. Knobs: RECONCILE_* (docs/reconciliation.md).
 */
import 'reflect-metadata';
import { loadCatalog } from '@tollgate/catalog';
import { ConfigError, loadConfig } from '@tollgate/config';
import { openDataSource } from '@tollgate/database';
import { NatsBus } from '@tollgate/messaging';
import { createLogger } from '@tollgate/observability';
import { createStripeClient } from '@tollgate/stripe-client';
import { StripeGateway } from '../apps/billing/src/adapters/stripe.gateway';
import { BillingConfig } from '../apps/billing/src/billing.config';
import { ladderOf } from '../apps/billing/src/billing.module';
import { billingDatabase } from '../apps/billing/src/database';
import { NatsCatchUpAdapter } from '../apps/billing/src/reconciliation/adapters/catch-up.adapter';
import { ReconciliationSettings } from '../apps/billing/src/reconciliation/reconciliation.settings';
import { ReconciliationService } from '../apps/billing/src/reconciliation/services/reconciliation.service';
import { PriceRepository } from '../apps/billing/src/repositories/price.repository';
import { CatalogPrices } from '../apps/billing/src/services/catalog-sync.service';
import { StripeEventProjector } from '../apps/billing/src/services/stripe-event.projector';

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const unknown = args.filter((a) => a !== '--dry-run');
  if (unknown.length > 0) {
    process.stderr.write(`unknown arguments: ${unknown.join(' ')}\nusage: reconcile [--dry-run]\n`);
    return 2;
  }
  let config: BillingConfig;
  let settings: ReconciliationSettings;
  try {
    config = loadConfig('reconcile', BillingConfig, env);
    settings = loadConfig('reconcile', ReconciliationSettings, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger('reconcile', config.LOG_LEVEL);
  const ds = await openDataSource(billingDatabase, config.DATABASE_URL, 8);
  const bus = await NatsBus.connect({
    url: config.NATS_URL,
    name: 'reconcile',
    namespace: config.NATS_NAMESPACE,
    requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS,
    logger,
  });
  try {
    const stripe = createStripeClient({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
    });
    const prices = new CatalogPrices(loadCatalog(config.CATALOG_PATH));
    prices.load(await new PriceRepository().all(ds.manager));
    // Outbox rows written by repairs are published by the billing service's relay.
    const projector = new StripeEventProjector(
      ds,
      new StripeGateway(stripe),
      prices,
      logger,
      () => undefined,
      ladderOf(config),
    );
    const service = new ReconciliationService({
      ds,
      stripe,
      projector,
      prices,
      catchUp: new NatsCatchUpAdapter(bus, settings.RECONCILE_CATCH_UP_TIMEOUT_MS),
      logger,
      settings,
    });
    const stop = () => void service.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      const run = await service.run({
        dryRun: args.includes('--dry-run'),
        trigger: env.RECONCILE_TRIGGER ?? 'cli',
      });
      process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`reconciliation interrupted (the next run resumes it): ${String(error)}\n`);
      return 1;
    }
  } finally {
    await bus.close(1000);
    await ds.destroy();
  }
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`reconcile failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
