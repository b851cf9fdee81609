import { describe, expect, it } from 'vitest';
import { formatCompact, formatScore, formatShare } from './score-format';

describe('score formatters', () => {
  it('formats scores, compact counts and shares', () => {
    expect(formatScore(0.0062671)).toBe('0.006267');
    expect(formatScore(1.23456)).toBe('1.2346');
    expect(formatScore(Number.NaN)).toBe('—');
    expect(formatCompact(36_500_000)).toBe('36.5 M');
    expect(formatCompact(10.49e9)).toBe('10.5 B');
    expect(formatCompact(1234)).toBe('1.23 K');
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(0.5)).toBe('0.5');
    expect(formatShare(0.4251)).toBe('42.5%');
  });
});
