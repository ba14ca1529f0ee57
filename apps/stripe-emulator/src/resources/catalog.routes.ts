/** Products and prices, including lookup_key (unique; transfer_lookup_key moves it) and list filters. */
import type Stripe from 'stripe';
import { buildPrice, buildProduct } from '../billing/object-builders';
import type { ApiRouter } from '../core/api-router';
import { idOf, previousAttributes, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import { paginate } from '../core/list';
import { mergeMetadata, type ParamReader } from '../core/params';
import { clone } from '../core/state';
import { invalidRequest } from '../core/stripe-error';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;

export function registerCatalogRoutes(api: ApiRouter, ctx: EmulatorContext): void {
  const products = () => ctx.data.products;
  const prices = () => ctx.data.prices;

  api.post('/v1/products', ({ params }) => {
    const now = ctx.realNow();
    const id = params.string('id') ?? newId('prod', 14);
    if (products()[id]) throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
    const product = buildProduct({
      id,
      name: params.requiredString('name'),
      created: now,
      active: params.bool('active') ?? true,
      description: params.string('description') ?? null,
      metadata: params.metadata() ?? {},
    });
    products()[id] = product;
    ctx.emit('product.created', product, now);
    const defaultPrice = params.child('default_price_data');
    if (defaultPrice) {
      const price = createPrice(ctx, defaultPrice, id);
      product.default_price = price.id;
    }
    return product;
  });

  api.get('/v1/products/:id', ({ path }) => ctx.require('products', path.id));

  api.post('/v1/products/:id', ({ params, path }) => {
    const product = ctx.require('products', path.id);
    const before = clone(product);
    if (params.has('name')) product.name = params.requiredString('name');
    if (params.has('description')) product.description = params.nullableString('description') ?? null;
    if (params.has('active')) product.active = params.bool('active')!;
    if (params.has('default_price'))
      product.default_price = ctx.require(
        'prices',
        params.requiredString('default_price'),
        'default_price',
      ).id;
    product.metadata = mergeMetadata(product.metadata, params.metadata());
    product.updated = ctx.realNow();
    ctx.emit('product.updated', product, product.updated, previousAttributes(before, product));
    return product;
  });

  api.get('/v1/products', ({ params }) => {
    const active = params.bool('active');
    const ids = params.strings('ids');
    const list = Object.values(products())
      .reverse()
      .filter((p) => (active === undefined || p.active === active) && (!ids || ids.includes(p.id)));
    return paginate(list, params, '/v1/products');
  });

  api.post('/v1/prices', ({ params }) => {
    const productData = params.child('product_data');
    let productId: string;
    if (productData) {
      const now = ctx.realNow();
      const product = buildProduct({
        id: newId('prod', 14),
        name: productData.requiredString('name'),
        created: now,
        active: productData.bool('active') ?? true,
        description: null,
        metadata: productData.metadata() ?? {},
      });
      products()[product.id] = product;
      ctx.emit('product.created', product, now);
      productId = product.id;
    } else {
      productId = ctx.require('products', params.requiredString('product'), 'product').id;
    }
    return createPrice(ctx, params, productId);
  });

  api.get('/v1/prices/:id', ({ path }) => ctx.require('prices', path.id));

  api.post('/v1/prices/:id', ({ params, path }) => {
    const price = ctx.require('prices', path.id);
    const before = clone(price);
    if (params.has('active')) price.active = params.bool('active')!;
    if (params.has('nickname')) price.nickname = params.nullableString('nickname') ?? null;
    if (params.has('lookup_key')) {
      const key = params.nullableString('lookup_key') ?? null;
      if (key) claimLookupKey(ctx, key, params.bool('transfer_lookup_key') ?? false, price.id);
      price.lookup_key = key;
    }
    price.metadata = mergeMetadata(price.metadata, params.metadata());
    ctx.emit('price.updated', price, ctx.realNow(), previousAttributes(before, price));
    return price;
  });

  api.get('/v1/prices', ({ params }) => {
    const active = params.bool('active');
    const product = params.string('product');
    const lookupKeys = params.strings('lookup_keys');
    const type = params.enum('type', ['one_time', 'recurring'] as const);
    const currency = params.string('currency');
    const interval = params.child('recurring')?.enum('interval', INTERVALS);
    const list = Object.values(prices())
      .reverse()
      .filter(
        (p) =>
          (active === undefined || p.active === active) &&
          (!product || idOf(p.product) === product) &&
          (!lookupKeys || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
          (!type || p.type === type) &&
          (!currency || p.currency === currency) &&
          (!interval || p.recurring?.interval === interval),
      );
    return paginate(list, params, '/v1/prices');
  });
}

function createPrice(ctx: EmulatorContext, params: ParamReader, productId: string): Stripe.Price {
  const now = ctx.realNow();
  const currency = params.requiredString('currency').toLowerCase();
  const unitAmount = params.nonNegativeInt('unit_amount');
  if (unitAmount === undefined)
    throw invalidRequest(
      'Missing required param: unit_amount.',
      params.name('unit_amount'),
      'parameter_missing',
    );
  const recurring = params.child('recurring');
  const lookupKey = params.string('lookup_key') ?? null;
  const id = newId('price_1');
  if (lookupKey) claimLookupKey(ctx, lookupKey, params.bool('transfer_lookup_key') ?? false, id);
  const price = buildPrice({
    id,
    product: productId,
    created: now,
    currency,
    unitAmount,
    active: params.bool('active') ?? true,
    lookupKey,
    nickname: params.string('nickname') ?? null,
    metadata: params.metadata() ?? {},
    recurring: recurring
      ? {
          interval: recurring.enum('interval', INTERVALS) ?? failMissing(recurring.name('interval')),
          intervalCount: recurring.int('interval_count') ?? 1,
        }
      : null,
  });
  ctx.data.prices[id] = price;
  ctx.emit('price.created', price, now);
  return price;
}

function failMissing(param: string): never {
  throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

/** Lookup keys are unique across prices; transfer_lookup_key takes one from its current holder. */
function claimLookupKey(ctx: EmulatorContext, key: string, transfer: boolean, claimant: string): void {
  const holder = Object.values(ctx.data.prices).find((p) => p.lookup_key === key && p.id !== claimant);
  if (!holder) return;
  if (!transfer)
    throw invalidRequest(
      `A price (\`${holder.id}\`) already uses that lookup key. Set \`transfer_lookup_key=true\` to transfer it to this price.`,
      'lookup_key',
    );
  const before = clone(holder);
  holder.lookup_key = null;
  ctx.emit('price.updated', holder, ctx.realNow(), previousAttributes(before, holder));
}
