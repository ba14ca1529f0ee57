import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Controller, Get } from '@nestjs/common';
import { INTERVALS, type Interval } from '@tollgate/contracts';
import { loadCatalog, type CatalogPrice } from '@tollgate/catalog';

function pricesOf(prices: Partial<Record<Interval, CatalogPrice>>, currency: string) {
  return INTERVALS.flatMap((interval) => {
    const price = prices[interval];
    return price ? [{ interval, amount: price.amount, currency, lookupKey: price.lookupKey }] : [];
  });
}

/** The plan catalog as clients see it: prices in integer minor units, included seats, features. */
@ApiTags('plans')
@ApiBearerAuth()
@Controller('v1/plans')
export class PlansController {
  @Get()
  list() {
    const catalog = loadCatalog();
    return {
      version: catalog.version,
      currency: catalog.currency,
      plans: Object.values(catalog.plans).map((plan) => ({
        id: plan.id,
        name: plan.name,
        includedSeats: plan.includedSeats,
        trialDays: plan.trialDays,
        prices: pricesOf(plan.prices, catalog.currency),
        features: Object.entries(plan.features).map(([key, value]) => ({
          key,
          name: catalog.features[key].name,
          type: catalog.features[key].type,
          ...value,
        })),
      })),
      addons: Object.values(catalog.addons).map((addon) => ({
        id: addon.id,
        name: addon.name,
        feature: addon.feature,
        prices: pricesOf(addon.prices, catalog.currency),
      })),
    };
  }
}
