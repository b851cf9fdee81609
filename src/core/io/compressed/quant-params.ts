/**
 * The quantizer parameters a compressed checkpoint stores (format.ts) and compress/quant computes
 * (quantize-weights.ts, calibrate.ts): plain data, defined here so that the format does not import
 * the quantizers (compress → io, never io → compress).
 */

/**
 * Width and binary point of one quantized tensor: values are k·2^−bp, |k| ≤ 2^(bits−1). With
 * per-channel exponents (recipe.weightGranularity 'channel') element i is k·2^−channelBp[i mod C]
 * and `bp` is the smallest (coarsest) of them, for display only.
 */
export interface TensorQuant {
  bits: number;
  bp: number;
  /** One binary point per output channel (channel-last layout), when per channel. */
  channelBp?: number[];
}

/** A layer input's quantizer and the statistics it came from. */
export interface ActivationQuant extends TensorQuant {
  mean: number;
  std: number;
  /** Unsigned codes with this zero point (recipe.activationZeroPoint); else signed. */
  zeroPoint?: number;
}
