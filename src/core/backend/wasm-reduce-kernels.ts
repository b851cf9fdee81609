/**
 * Faster Sum and Mean for tfjs-backend-wasm 4.22 over a contiguous block of axes that is not the
 * innermost: wasm's own kernels transpose the reduced axes to the end first (a full copy), then
 * reduce. Batch norm's per-channel sums (axes 0..2 of NHWC), bias gradients and global average
 * pooling (axes 1..2) all take that path. Here the tensor is viewed as [pre, R, 1, post] and
 * reduced by wasm's AvgPool with an R×1 window (XNNPACK's pooling, no copy); Sum scales the
 * mean by R. Measured on [1800, 384] (Node, 2-core machine): Sum over axis 0 1.16 ms → AvgPool
 * 0.40 ms; a fresh-weights matmul with a ones row is worse (6.8 ms: XNNPACK packs the weights).
 *
 * Reductions over innermost axes, over all axes, or of non-float32 tensors keep the native kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composite, type KernelCalls } from './kernel-calls';

const WASM = 'wasm';
/** Widest [pre, R, 1, post] view reduced by pooling (see reductionBlock). */
export const MAX_POOLED_CHANNELS = 4096;

interface ReduceAttrs {
  axis: number | number[] | null;
  keepDims: boolean;
}

/** [pre, R, post] of a reduction over a contiguous block of axes, or null for other shapes. */
export function reductionBlock(
  shape: readonly number[],
  axis: number | readonly number[] | null | undefined,
): { pre: number; r: number; post: number } | null {
  const rank = shape.length;
  const axes = normalizedAxes(shape, axis);
  if (axes.length === 0) return null;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length) return null; // not contiguous
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const post = prod(last + 1, rank);
  if (post === 1) return null; // innermost: the native kernel needs no transpose
  // wasm's AvgPool corrupts the heap for long rows (measured: R ≥ 8 with ~16,300+ channels,
  // e.g. a sum over axis 0 of [8, 16384]); such reductions keep the native kernel.
  if (post > MAX_POOLED_CHANNELS) return null;
  return { pre: prod(0, first), r: prod(first, last + 1), post };
}

/** Sorted, distinct, non-negative axes; null/undefined = all (as tfjs reads a reduction's axis). */
function normalizedAxes(
  shape: readonly number[],
  axis: number | readonly number[] | null | undefined,
): number[] {
  const list = tf.util.parseAxisParam(axis as number | number[], shape as number[]);
  return [...new Set(list)].sort((a, b) => a - b);
}

function outShape(shape: readonly number[], attrs: ReduceAttrs): number[] {
  const axes = normalizedAxes(shape, attrs.axis);
  return shape.flatMap((d, i) => (axes.includes(i) ? (attrs.keepDims ? [1] : []) : [d]));
}

function poolMean(k: KernelCalls, x: tf.TensorInfo, b: { pre: number; r: number; post: number }) {
  const view = k.reshape(x, [b.pre, b.r, 1, b.post]);
  return k.run('AvgPool', { x: view }, { filterSize: [b.r, 1], strides: [1, 1], pad: 'valid' });
}

function reduceKernel(name: 'Sum' | 'Mean', native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const x = args.inputs['x'];
      const attrs = args.attrs as unknown as ReduceAttrs;
      const block = x && x.dtype === 'float32' ? reductionBlock(x.shape, attrs.axis) : null;
      if (!x || !block) return native.kernelFunc(args);
      return composite(args.backend, WASM, (k) => {
        let y = poolMean(k, x, block);
        if (name === 'Sum') {
          const r = k.run('Fill', {}, { shape: [], value: block.r, dtype: 'float32' });
          y = k.run('Multiply', { a: y, b: r });
        }
        return k.reshape(y, outShape(x.shape, attrs));
      });
    },
  };
}

const replaced = new WeakSet<tf.KernelFunc>();

/** Swaps wasm's Sum and Mean for the pooled forms (idempotent; no-op without the wasm module). */
export function registerWasmReduceKernels(): void {
  for (const name of ['Sum', 'Mean'] as const) {
    const native = tf.getKernel(name, WASM);
    if (!native || replaced.has(native.kernelFunc)) continue;
    const fast = reduceKernel(name, native);
    replaced.add(fast.kernelFunc);
    tf.unregisterKernel(name, WASM);
    tf.registerKernel(fast);
  }
}
