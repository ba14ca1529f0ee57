import { prorate, prorationLines } from './proration';

const JAN_1 = Date.UTC(2026, 0, 1) / 1000;
const FEB_1 = Date.UTC(2026, 1, 1) / 1000;
const JAN_16_NOON = Date.UTC(2026, 0, 16, 12) / 1000;

describe('proration', () => {
  it('matches the documented worked example (upgrade at exactly half the period)', () => {
    const lines = prorationLines(
      { unitAmount: 2000, quantity: 1 },
      { unitAmount: 5000, quantity: 1 },
      JAN_1,
      FEB_1,
      JAN_16_NOON,
    );
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ['unused', -1000],
      ['remaining', 2500],
    ]);
  });

  it('is time-based to the second and rounds each line to the nearest minor unit', () => {
    // 1 second into a 31-day month: 2000 * 2678399 / 2678400 = 1999.99925... → 2000
    expect(prorate(2000, JAN_1, FEB_1, JAN_1 + 1)).toBe(2000);
    // one third of a 3-second period of 100 → 33.33 → 33; two thirds → 66.67 → 67
    expect(prorate(100, 0, 3, 2)).toBe(33);
    expect(prorate(100, 0, 3, 1)).toBe(67);
  });

  it('charges the whole amount before the period and nothing after it', () => {
    expect(prorate(2000, JAN_1, FEB_1, JAN_1 - 10)).toBe(2000);
    expect(prorate(2000, JAN_1, FEB_1, FEB_1)).toBe(0);
  });

  it('credits and charges whole quantities for a seat change', () => {
    const lines = prorationLines(
      { unitAmount: 1000, quantity: 2 },
      { unitAmount: 1000, quantity: 5 },
      0,
      100,
      50,
    );
    expect(lines.map((l) => l.amount)).toEqual([-1000, 2500]);
  });

  it('produces no lines when nothing changed', () => {
    expect(prorationLines({ unitAmount: 1, quantity: 1 }, { unitAmount: 1, quantity: 1 }, 0, 10, 5)).toEqual(
      [],
    );
  });
});
