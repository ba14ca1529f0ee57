import { latenciesBySpan } from './spans';

describe('latenciesBySpan', () => {
  it('puts each answer in the span it was due in, sorted within the span', () => {
    const answers = [
      { dueAt: 1000, ms: 5 },
      { dueAt: 1999.9, ms: 1 },
      { dueAt: 2000, ms: 9 },
      { dueAt: 2500, ms: 2 },
      { dueAt: 3999, ms: 7 },
    ];
    expect(latenciesBySpan(answers, 1000, 1000, 3)).toEqual([[1, 5], [2, 9], [7]]);
  });

  it('keeps answers due just outside the window in the nearest span, and leaves quiet spans empty', () => {
    const answers = [
      { dueAt: 999, ms: 3 },
      { dueAt: 4000.5, ms: 4 },
    ];
    expect(latenciesBySpan(answers, 1000, 1000, 4)).toEqual([[3], [], [], [4]]);
  });

  it('refuses a span or a count that cannot cut a window', () => {
    expect(() => latenciesBySpan([], 0, 0, 3)).toThrow(/positive span/);
    expect(() => latenciesBySpan([], 0, 10, 0)).toThrow(/whole number/);
    expect(() => latenciesBySpan([], 0, 10, 1.5)).toThrow(/whole number/);
  });
});
