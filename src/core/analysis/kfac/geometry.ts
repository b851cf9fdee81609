/**
 * Patch geometry of a conv2d / dense layer for K-FAC (Martens & Grosse 2015; KFC for convolutions,
 * Grosse & Martens 2016): resolved padding, output size and, per input row/column, how many
 * (output position, kernel tap) pairs read it — the weights of the SUA factor A (EigenDamage,
 * Wang et al. 2019), which sums a aᵀ over every tap and position. A dense layer is treated as a
 * 1×1 conv on a 1×1 map ([N, F] ≡ [N, 1, 1, F]).
 */
import type { GraphNode, Padding } from '../../graph/ir';
import { KfacError } from './kfac-error';

export interface LayerGeometry {
  op: 'conv2d' | 'dense';
  kernel: number;
  stride: number;
  /** Resolved zero padding [top, bottom, left, right]. */
  pad: [number, number, number, number];
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  inChannels: number;
  outChannels: number;
  bias: boolean;
}

/** TF 'same' / 'valid' / explicit padding → [top, bottom, left, right] for an h×w input. */
export function resolvePadding(
  p: Padding,
  h: number,
  w: number,
  kernel: number,
  stride: number,
): [number, number, number, number] {
  if (p === 'valid') return [0, 0, 0, 0];
  if (p !== 'same') return [...p];
  const split = (size: number): [number, number] => {
    const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  };
  const [t, b] = split(h);
  const [l, r] = split(w);
  return [t, b, l, r];
}

/** Output length along one axis with explicit padding. */
function outLength(size: number, kernel: number, stride: number, before: number, after: number) {
  return Math.floor((size + before + after - kernel) / stride) + 1;
}

/** Geometry of a conv2d / dense node whose (per-sample) input shape is `inShape`. */
export function layerGeometry(node: GraphNode, inShape: readonly number[]): LayerGeometry {
  const s = node.spec;
  if (s.op === 'dense') {
    return {
      op: 'dense',
      kernel: 1,
      stride: 1,
      pad: [0, 0, 0, 0],
      inH: 1,
      inW: 1,
      outH: 1,
      outW: 1,
      inChannels: s.inFeatures,
      outChannels: s.outFeatures,
      bias: s.bias,
    };
  }
  if (s.op !== 'conv2d')
    throw new KfacError(`layer '${node.name}': K-FAC handles conv2d/dense, got ${s.op}`);
  if (inShape.length !== 3)
    throw new KfacError(`conv '${node.name}' expects an [H,W,C] input, got [${inShape.join(',')}]`);
  const [inH, inW] = inShape as [number, number, number];
  const pad = resolvePadding(s.padding, inH, inW, s.kernel, s.stride);
  return {
    op: 'conv2d',
    kernel: s.kernel,
    stride: s.stride,
    pad,
    inH,
    inW,
    outH: outLength(inH, s.kernel, s.stride, pad[0], pad[1]),
    outW: outLength(inW, s.kernel, s.stride, pad[2], pad[3]),
    inChannels: s.inChannels,
    outChannels: s.outChannels,
    bias: s.bias,
  };
}

/**
 * count[r] = #{(o, i) : o·stride + i − before = r, 0 ≤ o < out, 0 ≤ i < kernel} for every input
 * index r in [0, size): how often one input row (or column) is read by the sweep.
 */
export function tapCounts(
  size: number,
  out: number,
  kernel: number,
  stride: number,
  before: number,
): Float64Array {
  const count = new Float64Array(size);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < kernel; i++) {
      const r = o * stride + i - before;
      if (r >= 0 && r < size) count[r]! += 1;
    }
  }
  return count;
}

/** Output positions per sample (L). */
export function positions(g: LayerGeometry): number {
  return g.outH * g.outW;
}

/** Width of the A side: c_in, plus the bias coordinate when it is used. */
export function dimA(g: LayerGeometry, useBias: boolean): number {
  return g.inChannels + (useBias && g.bias ? 1 : 0);
}
