/**
 * Convolution / pooling output sizes for the IR's padding modes (TF 'same'/'valid' or explicit
 * [top, bottom, left, right]) and PyTorch's AvgPool2d ceil_mode rule.
 */
import type { Padding } from './ir';

/** Output length of a conv/pool window sweep along one axis. */
export function convOutSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + pad - kernel) / stride) + 1;
}

/** [outH, outW] of a conv with the IR padding. */
export function convOutHW(
  h: number,
  w: number,
  kernel: number,
  stride: number,
  padding: Padding,
): [number, number] {
  if (padding === 'same') return [Math.ceil(h / stride), Math.ceil(w / stride)];
  const [t, b, l, r] = padding === 'valid' ? [0, 0, 0, 0] : padding;
  return [convOutSize(h, kernel, stride, t + b), convOutSize(w, kernel, stride, l + r)];
}

/**
 * PyTorch AvgPool2d output length with padding 0: floor or ceil of (size−k)/s, plus 1; in ceil
 * mode the last window must start inside the input.
 */
export function poolOutSize(size: number, kernel: number, stride: number, ceil: boolean): number {
  if (ceil) {
    let out = Math.ceil((size - kernel) / stride) + 1;
    if ((out - 1) * stride >= size) out--;
    return out;
  }
  return Math.floor((size - kernel) / stride) + 1;
}
