/**
 * Fused fake quantization with its straight-through mask, one pass over the wasm heap:
 *
 *   s = x·up[c]     value = round_half_even(clamp(s, lo, hi))·down[c]     mask = 1 if lo ≤ s ≤ hi else 0
 *
 * x seen as [−1, C] with C = up.size (1: per tensor), element i in channel i mod C. The same
 * numbers as compress/quant/fake-quant.ts's composite (Multiply, ClipByValue, Round, Multiply and
 * the mask's comparison + Cast): x·2^bp and k·2^−bp are exact, round is half to even, NaN gives NaN
 * and mask 0, ±∞ clamp to the bounds with mask 0. Why: in a QAT training step on wasm those six
 * kernels per quantized tensor cost about a third of the step — tfjs-wasm's comparison kernels
 * (GreaterEqual, LessEqual, LogicalAnd, Equal) each run about 10× slower than ClipByValue on the
 * same tensor (profile in BENCHMARKS.md) — and one JS loop over the heap does all of it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend } from './wasm-depthwise-filter-grad';

/** Kernel name: inputs { x, up, down } (float32; up, down of one size C dividing x.size). */
export const FAKE_QUANT_STE = 'MnlFakeQuantSte';

export interface FakeQuantSteAttrs {
  lo: number;
  hi: number;
}

const WASM = 'wasm';

/** 1.5·2^52: (v + R) − R is v rounded half to even in float64 for |v| < 2^51. */
const ROUND = 6755399441055744;

/** value and mask of x (flat, channel i mod C) into out / mask (see the header). */
export function fakeQuantSteValues(
  x: Float32Array,
  up: Float32Array,
  down: Float32Array,
  { lo, hi }: FakeQuantSteAttrs,
  out: Float32Array,
  mask: Float32Array,
): void {
  const channels = up.length;
  if (channels === 1) {
    perTensor(x, up[0]!, down[0]!, lo, hi, out, mask);
    return;
  }
  for (let base = 0; base < x.length; base += channels) {
    for (let c = 0; c < channels; c++) {
      const i = base + c;
      const s = x[i]! * up[c]!;
      const inside = s >= lo && s <= hi;
      const clamped = inside ? s : s < lo ? lo : s > hi ? hi : s; // NaN stays NaN
      out[i] = (clamped + ROUND - ROUND) * down[c]!;
      mask[i] = inside ? 1 : 0;
    }
  }
}

/** The same with one scale (the activations: most of the values; a loop JS runs at ~4 ns/value). */
function perTensor(
  x: Float32Array,
  up: number,
  down: number,
  lo: number,
  hi: number,
  out: Float32Array,
  mask: Float32Array,
): void {
  for (let i = 0; i < x.length; i++) {
    const s = x[i]! * up;
    const inside = s >= lo && s <= hi;
    const clamped = inside ? s : s < lo ? lo : s > hi ? hi : s;
    out[i] = (clamped + ROUND - ROUND) * down;
    mask[i] = inside ? 1 : 0;
  }
}

function checkInputs(x: tf.TensorInfo, up: tf.TensorInfo, down: tf.TensorInfo): void {
  const sizeOf = (t: tf.TensorInfo) => t.shape.reduce((a, b) => a * b, 1);
  const [n, c] = [sizeOf(x), sizeOf(up)];
  if (x.dtype !== 'float32' || up.dtype !== 'float32' || down.dtype !== 'float32')
    throw new Error(`${FAKE_QUANT_STE}: float32 inputs only, got ${x.dtype}/${up.dtype}`);
  if (c < 1 || sizeOf(down) !== c || n % c !== 0)
    throw new Error(`${FAKE_QUANT_STE}: [${x.shape}] does not split into ${c} channels`);
}

const kernel: tf.KernelConfig = {
  kernelName: FAKE_QUANT_STE,
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, up, down } = inputs as Record<'x' | 'up' | 'down', tf.TensorInfo>;
    checkInputs(x, up, down);
    const heap = backend as unknown as HeapBackend;
    const value = heap.makeOutput([...x.shape], 'float32');
    const mask = heap.makeOutput([...x.shape], 'float32');
    // Views after makeOutput: a heap growth detaches older ones.
    fakeQuantSteValues(
      heap.typedArrayFromHeap(x),
      heap.typedArrayFromHeap(up),
      heap.typedArrayFromHeap(down),
      attrs as unknown as FakeQuantSteAttrs,
      heap.typedArrayFromHeap(value),
      heap.typedArrayFromHeap(mask),
    );
    return [value, mask];
  },
};

/** Registers the fused kernel for 'wasm' (idempotent). */
export function registerWasmFakeQuant(): void {
  if (!tf.getKernel(FAKE_QUANT_STE, WASM)) tf.registerKernel(kernel);
}

/** Whether the active backend has the fused kernel. */
export function hasFusedFakeQuant(): boolean {
  return tf.getKernel(FAKE_QUANT_STE, tf.getBackend()) !== undefined;
}
