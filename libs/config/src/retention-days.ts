import { IsInt, Max, Min, ValidateIf } from 'class-validator';

/**
 * The shortest retention a table that deduplicates Stripe events by id may have: Stripe's Events API lists
 * 30 days of events (catch-up) and retries a delivery for 3, so an id forgotten sooner could come back.
 */
export const MIN_DEDUPE_RETENTION_DAYS = 31;

/**
 * A retention in whole days: 0 keeps rows for ever, anything else must be at least `min`. A refusal names the
 * variable and both choices.
 */
export function RetentionDays(min: number): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    const name = String(key);
    ValidateIf((config: Record<string, unknown>) => config[name] !== 0)(target, name);
    IsInt({ message: `${name} must be a whole number of days` })(target, name);
    Min(min, { message: `${name} must be 0 (keep for ever) or at least ${min} days` })(target, name);
    Max(36_500)(target, name);
  };
}
