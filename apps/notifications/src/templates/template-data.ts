/**
 * Typed, checked access to a notification's `data` (NotificationRequestedEvent.data, written by billing):
 * amounts are integer minor units with an ISO currency, dates ISO 8601 strings, links absolute http(s) URLs.
 * A missing or malformed required field is a TemplateDataError: the message can never render, so it goes
 * the bounded-retry way to the dead letters with the field named, rather than sending a broken email.
 */
export class TemplateDataError extends Error {
  constructor(
    readonly kind: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${kind}: data.${field} ${problem}`);
    this.name = 'TemplateDataError';
  }
}

export interface Money {
  amount: number;
  currency: string;
}

type Raw = Record<string, unknown>;

export class TemplateData {
  constructor(
    private readonly kind: string,
    private readonly raw: Raw,
  ) {}

  private fail(field: string, problem: string): never {
    throw new TemplateDataError(this.kind, field, problem);
  }

  private present(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null && this.raw[field] !== '';
  }

  string(field: string): string {
    const value = this.optionalString(field);
    return value ?? this.fail(field, 'is required');
  }

  optionalString(field: string): string | undefined {
    if (!this.present(field)) return undefined;
    const value = this.raw[field];
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    return value;
  }

  optionalBoolean(field: string): boolean | undefined {
    if (!this.present(field)) return undefined;
    const value = this.raw[field];
    if (typeof value !== 'boolean') this.fail(field, 'must be a boolean');
    return value;
  }

  /** `amount` (integer minor units) with `currency` (ISO 4217) by default. */
  money(amountField = 'amount', currencyField = 'currency'): Money {
    return this.optionalMoney(amountField, currencyField) ?? this.fail(amountField, 'is required');
  }

  optionalMoney(amountField = 'amount', currencyField = 'currency'): Money | undefined {
    if (!this.present(amountField)) return undefined;
    const amount = this.raw[amountField];
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount))
      this.fail(amountField, 'must be an integer amount in minor units');
    const currency = this.string(currencyField);
    if (!/^[A-Za-z]{3}$/.test(currency)) this.fail(currencyField, 'must be an ISO 4217 currency code');
    return { amount, currency: currency.toUpperCase() };
  }

  date(field: string): Date {
    return this.optionalDate(field) ?? this.fail(field, 'is required');
  }

  optionalDate(field: string): Date | undefined {
    const value = this.optionalString(field);
    if (value === undefined) return undefined;
    const at = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime()))
      this.fail(field, 'must be an ISO 8601 date-time');
    return at;
  }

  /** Only absolute http(s) links reach an email: never `javascript:` or a relative path. */
  optionalUrl(field: string): string | undefined {
    const value = this.optionalString(field);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.fail(field, 'must be an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') this.fail(field, 'must be an http(s) URL');
    return url.toString();
  }
}
