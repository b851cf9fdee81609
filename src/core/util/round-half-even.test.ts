// Half-to-even rounding: ties, near-ties and the signs of zero (tfjs's Round kernel branches).
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './round-half-even';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour, everything else to the nearest', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001, -1.5, -2.5, -2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 4, 2, 3, -2, -2, -3,
    ]);
  });

  it('keeps −0 where tfjs does: −0.4 and −0 give −0, the tie −0.5 gives +0', () => {
    expect(Object.is(roundHalfEven(-0.4), -0)).toBe(true);
    expect(Object.is(roundHalfEven(-0), -0)).toBe(true);
    expect(Object.is(roundHalfEven(-0.5), 0)).toBe(true);
    expect(Object.is(roundHalfEven(0.4), 0)).toBe(true);
  });
});
