/**
 * Catalog sync: makes Stripe hold a product and an active price for every lookup key of the catalog.
 * Idempotent and safe from several replicas: prices are found by lookup_key; what is missing is created with
 * an Idempotency-Key derived from the catalog version and the lookup key; a changed amount gets a new price
 * that takes the lookup key over (transfer_lookup_key), so existing subscribers keep the price they bought.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Interval } from '@tollgate/contracts';
import { catalogPrices, resolveLookupKey, type Catalog } from '@tollgate/catalog';
import type { StripeGateway, StripePriceInfo } from '../adapters/stripe.gateway';
import { PriceEntity } from '../entities';
import { PriceRepository } from '../repositories/price.repository';
import type { PriceResolver, PriceRole } from './stripe-subscription.transform';

type WantedPrice = ReturnType<typeof catalogPrices>[number];

export type SyncAction =
  | { kind: 'keep'; wanted: WantedPrice; price: StripePriceInfo }
  | { kind: 'create'; wanted: WantedPrice; reason: 'missing' | 'amount_changed'; productId: string | null };

/** Compute step (pure): what to do for each price the catalog names, given what Stripe has. */
export function planCatalogSync(catalog: Catalog, existing: StripePriceInfo[]): SyncAction[] {
  const wanted = catalogPrices(catalog);
  const byKey = new Map(existing.filter((p) => p.lookupKey).map((p) => [p.lookupKey!, p]));
  const productOf = new Map<string, string>();
  for (const w of wanted) {
    const found = byKey.get(w.lookupKey);
    if (found && !productOf.has(w.productKey)) productOf.set(w.productKey, found.productId);
  }
  return wanted.map((w): SyncAction => {
    const found = byKey.get(w.lookupKey);
    if (
      found &&
      found.amount === w.amount &&
      found.currency === catalog.currency &&
      found.interval === w.interval
    )
      return { kind: 'keep', wanted: w, price: found };
    return {
      kind: 'create',
      wanted: w,
      reason: found ? 'amount_changed' : 'missing',
      productId: found?.productId ?? productOf.get(w.productKey) ?? null,
    };
  });
}

/** Setup → compute → execute; returns the price serving each lookup key. Exported for scripts. */
export async function syncCatalog(
  stripe: StripeGateway,
  catalog: Catalog,
  logger?: Logger,
): Promise<Map<string, StripePriceInfo & { lookupKey: string }>> {
  const wanted = catalogPrices(catalog);
  const existing = await stripe.pricesByLookupKeys(wanted.map((w) => w.lookupKey));
  const actions = planCatalogSync(catalog, existing);
  const products = new Map<string, string>();
  const out = new Map<string, StripePriceInfo & { lookupKey: string }>();
  for (const action of actions) {
    const key = action.wanted.lookupKey;
    if (action.kind === 'keep') {
      out.set(key, { ...action.price, lookupKey: key });
      continue;
    }
    const productKey = action.wanted.productKey;
    let productId = action.productId ?? products.get(productKey) ?? null;
    productId ??= await stripe.findProductByKey(productKey);
    productId ??= await stripe.createProduct(
      productKey,
      action.wanted.productName,
      `catalog:${catalog.version}:product:${productKey}`,
    );
    products.set(productKey, productId);
    const created = await stripe.createPrice(
      {
        productId,
        lookupKey: key,
        amount: action.wanted.amount,
        currency: catalog.currency,
        interval: action.wanted.interval,
      },
      `catalog:${catalog.version}:price:${key}:${action.wanted.amount}`,
    );
    logger?.info({ lookupKey: key, price: created.id, reason: action.reason }, 'stripe price created');
    out.set(key, { ...created, lookupKey: key });
  }
  return out;
}

/** Holds the synced prices: lookup key → Stripe price id, and Stripe price → catalog role. */
export class CatalogPrices {
  private readonly byLookupKey = new Map<string, string>();
  private readonly byPriceId = new Map<string, string>();

  constructor(readonly catalog: Catalog) {}

  load(rows: { lookupKey: string; stripePriceId: string }[]): void {
    for (const row of rows) {
      this.byLookupKey.set(row.lookupKey, row.stripePriceId);
      this.byPriceId.set(row.stripePriceId, row.lookupKey);
    }
  }

  priceId(lookupKey: string): string | undefined {
    return this.byLookupKey.get(lookupKey);
  }

  planPrice(plan: string, interval: Interval): string | undefined {
    const key = this.catalog.plans[plan as keyof Catalog['plans']]?.prices[interval]?.lookupKey;
    return key ? this.priceId(key) : undefined;
  }

  seatPrice(interval: Interval): string | undefined {
    const key = this.catalog.addons.seat?.prices[interval]?.lookupKey;
    return key ? this.priceId(key) : undefined;
  }

  /** A price is recognised by its lookup key, or by id for prices that lost their key to a newer one. */
  readonly resolve: PriceResolver = (price): PriceRole | null => {
    const key = price.lookup_key ?? this.byPriceId.get(price.id);
    return key ? resolveLookupKey(this.catalog, key) : null;
  };
}

export class CatalogSyncService {
  private readonly prices = new PriceRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly stripe: StripeGateway,
    readonly catalogPrices: CatalogPrices,
    private readonly logger: Logger,
  ) {}

  /** Syncs Stripe (when asked) and loads every price billing has ever served into memory. */
  async run(syncStripe: boolean): Promise<void> {
    if (syncStripe) {
      const synced = await syncCatalog(this.stripe, this.catalogPrices.catalog, this.logger);
      const now = new Date();
      await this.prices.upsert(
        this.ds.manager,
        [...synced.values()].map((p) =>
          Object.assign(new PriceEntity(), {
            lookupKey: p.lookupKey,
            stripePriceId: p.id,
            stripeProductId: p.productId,
            amount: p.amount ?? 0,
            currency: p.currency,
            interval: p.interval ?? '',
            catalogVersion: this.catalogPrices.catalog.version,
            syncedAt: now,
          }),
        ),
      );
    }
    this.catalogPrices.load(await this.prices.all(this.ds.manager));
  }
}
