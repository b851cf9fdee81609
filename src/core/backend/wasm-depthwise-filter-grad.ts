/**
 * Depthwise filter gradient (channel multiplier 1) on wasm, one filter tap at a time:
 *
 *   dW[a, b, c] = Σ_{n,y,x} x[n, a + s·y − top, b + s·x − left, c] · dy[n, y, x, c]   (x = 0 outside)
 *
 * For each of the kh·kw taps the shifted (strided) view of x is copied within the wasm heap —
 * one copyWithin per row for stride 1, per pixel otherwise, zeros outside — then multiplied by
 * dy and summed per channel (pooled, wasm-reduce-kernels.ts). wasm's own Slice first copies the
 * whole input out of the heap, and the earlier form (a depthwise correlation over N·C channels
 * with dy as an Ho×Wo filter) spends its time in XNNPACK packing that huge filter; both were
 * measured slower (docs/PERFORMANCE.md).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ConvGradGeometry } from './conv-grad-geometry';
import type { KernelCalls } from './kernel-calls';

/** The parts of BackendWasm a heap copy needs. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** x's view for tap (a, b): [N, outH, outW, C], zero where the forward read padding. */
export function tapView(
  backend: HeapBackend,
  x: tf.TensorInfo,
  g: ConvGradGeometry,
  a: number,
  b: number,
): tf.TensorInfo {
  const c = g.cIn;
  const out = backend.makeOutput([g.n, g.outH, g.outW, c], 'float32');
  // One view of the whole heap, after makeOutput (a heap growth detaches older views); x and
  // the output are ranges of it, so every copy is a copyWithin — no subarray object per pixel,
  // which made the stride-2 taps 3–7× slower than the stride-1 ones.
  const outView = backend.typedArrayFromHeap(out);
  const heap = new Float32Array(outView.buffer);
  const src = backend.typedArrayFromHeap(x).byteOffset / 4;
  const dst = outView.byteOffset / 4;
  const rowOut = g.outW * c;
  for (let n = 0; n < g.n; n++) {
    for (let y = 0; y < g.outH; y++) {
      const iy = a + g.sh * y - g.top;
      const o = dst + (n * g.outH + y) * rowOut;
      if (iy < 0 || iy >= g.h) heap.fill(0, o, o + rowOut);
      else copyRow(heap, src + (n * g.h + iy) * g.w * c, o, g, b);
    }
  }
  return out;
}

/** One output row at heap[to…]: x positions b + s·j − left for j < outW, zeros outside [0, w). */
function copyRow(
  heap: Float32Array,
  from: number,
  to: number,
  g: ConvGradGeometry,
  b: number,
): void {
  const c = g.cIn;
  if (g.sw === 1) {
    const first = b - g.left; // input column of output column 0
    const lo = Math.max(0, -first);
    const hi = Math.min(g.outW, g.w - first);
    if (lo > 0) heap.fill(0, to, to + lo * c);
    if (hi > lo) heap.copyWithin(to + lo * c, from + (first + lo) * c, from + (first + hi) * c);
    if (hi < g.outW) heap.fill(0, to + Math.max(hi, lo) * c, to + g.outW * c);
    return;
  }
  for (let j = 0; j < g.outW; j++) {
    const ix = b + g.sw * j - g.left;
    const o = to + j * c;
    if (ix < 0 || ix >= g.w) heap.fill(0, o, o + c);
    else heap.copyWithin(o, from + ix * c, from + ix * c + c);
  }
}

/** x [N,H,W,C], dy [N,Ho,Wo,C] → dW [kh,kw,C,1] (channel multiplier 1, dilation 1). */
export function depthwiseFilterGradByTaps(
  k: KernelCalls,
  backend: HeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGradGeometry,
): tf.TensorInfo {
  const sums: tf.TensorInfo[] = [];
  for (let a = 0; a < g.kh; a++) {
    for (let b = 0; b < g.kw; b++) {
      const tap = k.adopt(tapView(backend, x, g, a, b));
      const prod = k.run('Multiply', { a: tap, b: dy });
      k.free(tap);
      const s = k.run('Sum', { x: prod }, { axis: [0, 1, 2], keepDims: false });
      k.free(prod);
      sums.push(k.reshape(s, [1, g.cIn]));
    }
  }
  const all = k.run('Concat', sums as unknown as Record<string, tf.TensorInfo>, { axis: 0 });
  return k.reshape(all, [g.kh, g.kw, g.cIn, 1]);
}
