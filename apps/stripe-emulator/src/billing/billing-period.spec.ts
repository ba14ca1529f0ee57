import { addIntervals, nextBoundary } from './billing-period';

const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 1000;

describe('billing periods', () => {
  it('clamps to the end of a shorter month and returns to the anchor day after it', () => {
    expect(addIntervals(at(2026, 1, 31), 'month', 1)).toBe(at(2026, 2, 28));
    expect(addIntervals(at(2026, 1, 31), 'month', 2)).toBe(at(2026, 3, 31));
  });

  it('adds years across a leap day', () => {
    expect(addIntervals(at(2028, 2, 29), 'year', 1)).toBe(at(2029, 2, 28));
  });

  it('finds the next boundary after a time, counted from the anchor', () => {
    expect(nextBoundary(at(2026, 1, 31), 'month', 1, at(2026, 2, 28))).toBe(at(2026, 3, 31));
  });
});
