import { loadCatalog, type Catalog } from '@tollgate/catalog';
import type { StripeGateway, StripePriceInfo } from '../adapters/stripe.gateway';
import { planCatalogSync, syncCatalog } from './catalog-sync.service';

const catalog = loadCatalog();

const stripePrice = (
  lookupKey: string,
  amount: number,
  interval: string,
  productId = `prod_${lookupKey}`,
): StripePriceInfo => ({
  id: `price_${lookupKey}_${amount}`,
  lookupKey,
  amount,
  currency: 'usd',
  interval,
  productId,
});

/** An in-memory Stripe that records what it was asked to create, keyed like Stripe by Idempotency-Key. */
class FakeStripe {
  prices: StripePriceInfo[] = [];
  products = new Map<string, string>();
  created: { kind: string; key: string }[] = [];
  async pricesByLookupKeys(keys: string[]) {
    return this.prices.filter((p) => p.lookupKey && keys.includes(p.lookupKey));
  }
  async findProductByKey(productKey: string) {
    return [...this.products.entries()].find(([, key]) => key === productKey)?.[0] ?? null;
  }
  async createProduct(productKey: string, _name: string, idempotencyKey: string) {
    this.created.push({ kind: 'product', key: idempotencyKey });
    const id = `prod_${productKey}`;
    this.products.set(id, productKey);
    return id;
  }
  async createPrice(
    p: { productId: string; lookupKey: string; amount: number; currency: string; interval: string },
    idempotencyKey: string,
  ) {
    this.created.push({ kind: 'price', key: idempotencyKey });
    for (const old of this.prices) if (old.lookupKey === p.lookupKey) old.lookupKey = null; // transfer_lookup_key
    const price = {
      id: `price_${p.lookupKey}_${p.amount}`,
      lookupKey: p.lookupKey,
      amount: p.amount,
      currency: p.currency,
      interval: p.interval,
      productId: p.productId,
    };
    this.prices.push(price);
    return price;
  }
}

describe('planCatalogSync', () => {
  it('creates every price on an empty Stripe account', () => {
    const actions = planCatalogSync(catalog, []);
    expect(actions).toHaveLength(6);
    expect(actions.every((a) => a.kind === 'create' && a.reason === 'missing' && a.productId === null)).toBe(
      true,
    );
  });

  it('keeps matching prices and replaces one whose amount changed, on the same product', () => {
    const existing = [
      stripePrice('tollgate_pro_month', 2900, 'month', 'prod_pro'),
      stripePrice('tollgate_pro_year', 25000, 'year', 'prod_pro'),
    ];
    const actions = planCatalogSync(catalog, existing);
    expect(actions.find((a) => a.wanted.lookupKey === 'tollgate_pro_month')).toMatchObject({ kind: 'keep' });
    expect(actions.find((a) => a.wanted.lookupKey === 'tollgate_pro_year')).toMatchObject({
      kind: 'create',
      reason: 'amount_changed',
      productId: 'prod_pro',
    });
  });
});

describe('syncCatalog', () => {
  it('is idempotent: a second run creates nothing', async () => {
    const stripe = new FakeStripe();
    const first = await syncCatalog(stripe as unknown as StripeGateway, catalog);
    expect(first.size).toBe(6);
    expect(stripe.created.filter((c) => c.kind === 'product')).toHaveLength(3);
    const createdBefore = stripe.created.length;
    const second = await syncCatalog(stripe as unknown as StripeGateway, catalog);
    expect(stripe.created).toHaveLength(createdBefore);
    expect([...second.values()].map((p) => p.id).sort()).toEqual([...first.values()].map((p) => p.id).sort());
  });

  it('moves the lookup key to a new price when the amount changes, with a key derived from version and amount', async () => {
    const stripe = new FakeStripe();
    await syncCatalog(stripe as unknown as StripeGateway, catalog);
    const raised: Catalog = JSON.parse(JSON.stringify(catalog));
    raised.version = '2027-01-01.1';
    raised.plans.pro.prices.month!.amount = 3900;
    const synced = await syncCatalog(stripe as unknown as StripeGateway, raised);
    expect(synced.get('tollgate_pro_month')).toMatchObject({ amount: 3900, productId: 'prod_tollgate_pro' });
    expect(stripe.created.at(-1)).toEqual({
      kind: 'price',
      key: 'catalog:2027-01-01.1:price:tollgate_pro_month:3900',
    });
    expect(stripe.prices.filter((p) => p.lookupKey === 'tollgate_pro_month')).toHaveLength(1);
  });
});
