/**
 * Half-to-even rounding ("banker's rounding", Python's round()): ties go to the even neighbour.
 * The same branches as tfjs's Round kernels, so fake-quantized values match the kernels bit for
 * bit, signs of zero included: −0.4 → −0 (as Python's round) but the tie −0.5 → +0 (as tfjs).
 * Used by the quantizers (compress/quant) and by PyramidNet's channel widths (models).
 */
export function roundHalfEven(y: number): number {
  const base = Math.floor(y);
  const d = y - base;
  if (d < 0.5) return Math.floor(y);
  if (d > 0.5) return Math.ceil(y);
  return base % 2 === 0 ? base : base + 1;
}
