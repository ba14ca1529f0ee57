import { formatDate, formatDateTime, formatMoney, resolveLocale, resolveTimeZone } from './format';

const nbsp = '\u00a0';

describe('formatMoney', () => {
  it('formats EUR for de-DE and USD for en-US from integer minor units', () => {
    expect(formatMoney(123456, 'eur', 'de-DE')).toBe(`1.234,56${nbsp}€`);
    expect(formatMoney(123456, 'usd', 'en-US')).toBe('$1,234.56');
  });

  it("uses the currency's own minor-unit digits (JPY has none, KWD three)", () => {
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500');
    expect(formatMoney(1234, 'KWD', 'en-US')).toBe(`KWD${nbsp}1.234`);
  });

  it('keeps cents exact for amounts that are not representable as binary fractions', () => {
    expect(formatMoney(2999, 'usd', 'en-US')).toBe('$29.99');
    expect(formatMoney(-1005, 'usd', 'en-US')).toBe('-$10.05');
  });
});

describe('dates', () => {
  // 04:30 UTC on March 1 is still February 28 in Los Angeles and already 05:30 in Berlin.
  const nearMidnight = new Date('2026-03-01T04:30:00Z');

  it("renders the calendar date in the tenant's time zone, not the server's", () => {
    expect(formatDate(nearMidnight, 'en-US', 'America/Los_Angeles')).toBe('February 28, 2026');
    expect(formatDate(nearMidnight, 'de-DE', 'Europe/Berlin')).toBe('1. März 2026');
    expect(formatDate(nearMidnight, 'en-US', 'UTC')).toBe('March 1, 2026');
  });

  it('shows deadlines with their time and zone', () => {
    expect(formatDateTime(nearMidnight, 'en-US', 'America/Los_Angeles')).toMatch(
      /^February 28, 2026 at 8:30\sPM PST$/,
    );
    expect(formatDateTime(nearMidnight, 'de-DE', 'Europe/Berlin')).toBe('1. März 2026 um 05:30 MEZ');
  });
});

describe('resolveLocale / resolveTimeZone', () => {
  it('keeps valid values and falls back to en-US / UTC for ones Intl does not know', () => {
    expect(resolveLocale('de-DE')).toBe('de-DE');
    expect(resolveLocale('not a locale!')).toBe('en-US');
    expect(resolveLocale('xx-YY')).toBe('en-US');
    expect(resolveTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(resolveTimeZone('Mars/Olympus')).toBe('UTC');
    expect(resolveTimeZone('')).toBe('UTC');
  });
});
