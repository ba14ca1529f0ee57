/**
 * Proration, as Stripe computes it: time-based to the second, each line rounded to the nearest minor unit.
 *
 *   remaining  = (period_end - proration_date) / (period_end - period_start)
 *   credit     = -round(old_unit_amount * old_quantity * remaining)      "Unused time on ..."
 *   charge     = +round(new_unit_amount * new_quantity * remaining)      "Remaining time on ..."
 *
 * Worked example: Pro at 2000/month, period 2026-01-01T00:00Z .. 2026-02-01T00:00Z (2,678,400 s), upgrade to
 * Business at 5000/month on 2026-01-16T12:00Z (1,339,200 s left, exactly half):
 *   credit = -round(2000 * 0.5) = -1000, charge = round(5000 * 0.5) = 2500, net due 1500.
 * A preview (POST /v1/invoices/create_preview with the same proration_date) runs this same function, so it
 * agrees with what is then invoiced to the cent.
 */
export interface ProratedItem {
  unitAmount: number;
  quantity: number;
}

/** The share of `amount` for the rest of the period after `at`, rounded half away from zero like Stripe. */
export function prorate(amount: number, periodStart: number, periodEnd: number, at: number): number {
  if (periodEnd <= periodStart || at >= periodEnd) return 0;
  if (at <= periodStart) return amount;
  const exact = (amount * (periodEnd - at)) / (periodEnd - periodStart);
  return Math.sign(exact) * Math.round(Math.abs(exact));
}

export interface ProrationLine {
  kind: 'unused' | 'remaining';
  amount: number;
  unitAmount: number;
  quantity: number;
}

/** Lines for replacing `before` with `after` at `at` within [periodStart, periodEnd). Unchanged → no lines. */
export function prorationLines(
  before: ProratedItem | null,
  after: ProratedItem | null,
  periodStart: number,
  periodEnd: number,
  at: number,
): ProrationLine[] {
  if (before && after && before.unitAmount === after.unitAmount && before.quantity === after.quantity)
    return [];
  const lines: ProrationLine[] = [];
  if (before)
    lines.push({
      kind: 'unused',
      amount: -prorate(before.unitAmount * before.quantity, periodStart, periodEnd, at),
      unitAmount: before.unitAmount,
      quantity: before.quantity,
    });
  if (after)
    lines.push({
      kind: 'remaining',
      amount: prorate(after.unitAmount * after.quantity, periodStart, periodEnd, at),
      unitAmount: after.unitAmount,
      quantity: after.quantity,
    });
  return lines;
}
