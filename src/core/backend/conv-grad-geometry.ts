/**
 * Geometry of the gradient of a 2-D convolution (NHWC, dilation 1): the forward pads
 * (TF 'same' may be asymmetric: with stride 2 the extra row/column goes to the bottom/right),
 * and how far the input must be padded (>0) or cropped (<0) at the bottom/right so that the
 * filter gradient, written as a correlation of x with dy dilated by the stride, has exactly
 * kh × kw outputs.
 */
import * as tf from '@tensorflow/tfjs-core';

export type ConvPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

export interface ConvGradGeometry {
  /** x: [n, h, w, cIn]; dy: [n, outH, outW, cOut]; filter: [kh, kw, ·, ·]. */
  n: number;
  h: number;
  w: number;
  cIn: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  /**
   * Rows (cols) needed past the input's end by the filter-gradient correlation:
   * kh + sh·(outH − 1) − top − h. Positive = zero padding, negative = rows to crop.
   */
  extraBottom: number;
  extraRight: number;
}

/** Forward geometry from shapes and attrs; throws on dilations ≠ 1 or a dy of the wrong shape. */
export function convGradGeometry(
  xShape: number[],
  filterShape: number[],
  dyShape: number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: RoundingMode,
  depthwise: boolean,
  dilations: number | [number, number] = 1,
): ConvGradGeometry {
  if (xShape.length !== 4 || filterShape.length !== 4 || dyShape.length !== 4) {
    throw new Error(
      `conv gradient needs rank-4 shapes; got x [${xShape}], filter [${filterShape}], dy [${dyShape}]`,
    );
  }
  const dil = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dil[0] !== 1 || dil[1] !== 1) {
    throw new Error(`conv gradient supports dilation 1 only; got dilations [${dil}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  const expected = info.outShape;
  if (expected.some((d, i) => d !== dyShape[i])) {
    throw new Error(`conv gradient: dy has shape [${dyShape}], forward output is [${expected}]`);
  }
  const { top, left } = info.padInfo;
  const [n, h, w, cIn] = xShape as [number, number, number, number];
  const g = {
    n,
    h,
    w,
    cIn,
    outH: info.outHeight,
    outW: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top,
    left,
  };
  return {
    ...g,
    extraBottom: g.kh + g.sh * (g.outH - 1) - top - h,
    extraRight: g.kw + g.sw * (g.outW - 1) - left - w,
  };
}

/** Explicit NHWC padding for a correlation: [[0,0],[top,bottom],[left,right],[0,0]]. */
export function explicitPad(
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
