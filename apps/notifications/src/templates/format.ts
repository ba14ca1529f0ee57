/**
 * Display formatting for emails: amounts and dates through Intl, in the tenant's locale and time zone.
 * Money stays integer minor units everywhere else; only here does it become text. A locale or time zone that
 * Intl does not know falls back to en-US / UTC rather than losing the email.
 */
export const FALLBACK_LOCALE = 'en-US';
export const FALLBACK_TIME_ZONE = 'UTC';

export function resolveLocale(locale: string | undefined): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale ?? FALLBACK_LOCALE);
    return canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0
      ? canonical
      : FALLBACK_LOCALE;
  } catch {
    return FALLBACK_LOCALE;
  }
}

export function resolveTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return FALLBACK_TIME_ZONE;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return FALLBACK_TIME_ZONE;
  }
}

/** `minor` integer minor units of `currency` (ISO 4217, any case), e.g. 2900 usd → "$29.00" in en-US. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() });
  // Intl knows each currency's minor-unit digits: 2 for USD/EUR, 0 for JPY, 3 for KWD.
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A calendar date as the tenant reads it, e.g. "March 3, 2026" / "3. März 2026". */
export function formatDate(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(at);
}

/** An instant with its time and zone, for deadlines such as a trial end: "March 3, 2026 at 12:00 AM PST". */
export function formatDateTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone,
  }).format(at);
}
