import { describe, expect, it } from 'vitest';
import {
  estimateEta,
  formatBytes,
  formatDuration,
  formatPercent,
  formatSci,
  sci,
  sci3,
} from './format';

describe('format', () => {
  it('formats byte sizes with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(168_168_549)).toBe('160 MB');
    expect(formatBytes(-1)).toBe('—');
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(44.6)).toBe('45 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });

  it('formats percentages', () => {
    expect(formatPercent(0.4213)).toBe('42.13 %');
    expect(formatPercent(Number.NaN)).toBe('—');
  });

  it('extrapolates the ETA linearly', () => {
    // 25 of 100 done in 10 s → 30 s left.
    expect(estimateEta(25, 100, 0, 10_000)).toBeCloseTo(30, 10);
    expect(estimateEta(0, 100, 0, 10_000)).toBeNull();
    expect(estimateEta(5, null, 0, 10_000)).toBeNull();
  });

  it('formats numbers in scientific notation, anything else as text', () => {
    expect(formatSci(0.000123456)).toBe('1.23e-4');
    expect(formatSci(12345, 3)).toBe('1.235e+4');
    expect(sci(-0.5)).toBe('-5.00e-1');
    expect(sci3(2)).toBe('2.000e+0');
    expect(sci('rank 3')).toBe('rank 3');
  });
});
