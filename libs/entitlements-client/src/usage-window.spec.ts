import { addMonths, dayWindow, featureWindow, periodWindow, NO_RESET_WINDOW_START } from './usage-window';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

describe('usage windows', () => {
  it('clamps month steps to the last day of shorter months', () => {
    const anchor = new Date('2026-01-31T10:00:00.000Z');
    expect(iso(addMonths(anchor, 1))).toBe('2026-02-28T10:00:00.000Z');
    expect(iso(addMonths(anchor, 2))).toBe('2026-03-31T10:00:00.000Z');
    expect(iso(addMonths(anchor, -2))).toBe('2025-11-30T10:00:00.000Z');
  });

  it('uses the snapshot billing period while now is inside it', () => {
    const snapshot = {
      periodStart: '2026-03-15T08:00:00.000Z',
      periodEnd: '2026-04-15T08:00:00.000Z',
      interval: 'month' as const,
    };
    const window = featureWindow(
      snapshot,
      { window: 'billing_period' },
      new Date('2026-04-15T07:59:59.999Z'),
    )!;
    expect(iso(window.start)).toBe('2026-03-15T08:00:00.000Z');
    expect(iso(window.end)).toBe('2026-04-15T08:00:00.000Z');
  });

  it('resets at the period end: the next window starts there even before the renewal event arrives', () => {
    const snapshot = {
      periodStart: '2026-03-15T08:00:00.000Z',
      periodEnd: '2026-04-15T08:00:00.000Z',
      interval: 'month' as const,
    };
    const window = featureWindow(
      snapshot,
      { window: 'billing_period' },
      new Date('2026-04-15T08:00:00.000Z'),
    )!;
    expect(iso(window.start)).toBe('2026-04-15T08:00:00.000Z');
    expect(iso(window.end)).toBe('2026-05-15T08:00:00.000Z');
  });

  it('steps yearly periods by twelve months', () => {
    const window = periodWindow(
      new Date('2025-06-01T00:00:00.000Z'),
      12,
      new Date('2027-01-01T00:00:00.000Z'),
    );
    expect(iso(window.start)).toBe('2026-06-01T00:00:00.000Z');
    expect(iso(window.end)).toBe('2027-06-01T00:00:00.000Z');
  });

  it('finds calendar months from a month-start anchor in either direction', () => {
    const anchor = new Date('2026-03-01T00:00:00.000Z');
    expect(iso(periodWindow(anchor, 1, new Date('2026-05-20T00:00:00Z')).start)).toBe(
      '2026-05-01T00:00:00.000Z',
    );
    expect(iso(periodWindow(anchor, 1, new Date('2026-01-20T00:00:00Z')).start)).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('resets daily windows at UTC midnight', () => {
    const before = dayWindow(new Date('2026-03-10T23:59:59.999Z'));
    const after = dayWindow(new Date('2026-03-11T00:00:00.000Z'));
    expect(iso(before.start)).toBe('2026-03-10T00:00:00.000Z');
    expect(iso(before.end)).toBe('2026-03-11T00:00:00.000Z');
    expect(iso(after.start)).toBe('2026-03-11T00:00:00.000Z');
  });

  it('gives limit features one window that never resets and boolean features none', () => {
    const snapshot = { periodStart: '2026-03-01T00:00:00.000Z', periodEnd: null, interval: 'month' as const };
    expect(featureWindow(snapshot, { window: 'none' }, new Date())).toEqual({
      start: NO_RESET_WINDOW_START,
      end: null,
    });
    expect(featureWindow(snapshot, { window: undefined }, new Date())).toBeNull();
  });
});
