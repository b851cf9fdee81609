/**
 * Memory-aware batching for training (issue 13, item 4): how many images one forward + backward
 * may hold at once, so that a user's batch size is a statistical choice and never a crash. A
 * batch of B images runs as ⌈B/m⌉ micro-batches of as-equal-as-possible sizes (train-step.ts
 * sums their gradients with weights size_i / B before one optimizer step).
 *
 * The estimate of one image's training-step memory: the sum of every graph node's output
 * elements (graph/shapes.ts inferShapes, batch dimension left out) × 4 bytes × a tape factor.
 * The tape factor covers what the backward pass keeps and makes besides the node outputs
 * (kernel intermediates such as the swish's sigmoid, the gradients flowing back, XNNPACK's
 * scratch buffers); with QAT the fake-quant masks and quantized copies of every quantized layer
 * input come on top. The factors were measured with tf.profile's peakBytes of one trainer step
 * (SGD with momentum) of the OSI-AI MicroNet on wasm at batch 4, 8 and 16: linear in the batch,
 * 7.76–7.83 × (plain) and 8.36–8.47 × (QAT, 8-bit per-channel MSE weights and 8-bit
 * activations) the 16.97 MB of node outputs per image; the wasm heap after the step grew to the
 * same size (2.24 GB for QAT at batch 16). Rounded up to 8 and 9.
 *
 * Only the wasm backend splits by default: its heap is one WebAssembly memory of at most 2–4 GB
 * (and the Node build's default growth can abort before that). WebGPU / WebGL / cpu have their
 * own (much larger or host) memory and run the whole batch unless the caller asks.
 */
import { inferShapes } from '../graph/shapes';
import type { Graph } from '../graph/ir';

/**
 * Bytes one wasm training step may use for its tape: conservative against the 2–4 GB ceiling of
 * a wasm heap (4 GB in Node and Chromium, less in some browsers), leaving room for the weights,
 * optimizer state, data, a teacher and fragmentation. The OSI-AI MicroNet gets micro-batches of
 * 7 from it (plain or QAT); QAT at batch 32 in one piece (≈ 4.5 GB) aborts.
 */
export const WASM_TRAIN_BUDGET_BYTES = 1024 * 1024 * 1024;

/** Tape factor of a plain (float) training step: peak bytes ÷ (Σ node outputs × 4), rounded up. */
export const PLAIN_TAPE_FACTOR = 8;

/** Tape factor of a QAT training step (fake-quant masks and copies of the layer inputs). */
export const QAT_TAPE_FACTOR = 9;

/** What the trainer needs to estimate a model's training-step memory. */
export interface TrainFootprint {
  graph: Graph;
  /** The forward fake-quantizes weights / activations (QAT): a larger tape. */
  quantAware: boolean;
}

/** Σ over all nodes of the output's element count for one image (the input node included). */
export function activationElementsPerImage(graph: Graph): number {
  let total = 0;
  for (const shape of inferShapes(graph).values()) total += shape.reduce((a, d) => a * d, 1);
  return total;
}

/** Estimated bytes of one training step per image (see the header). */
export function trainBytesPerImage(f: TrainFootprint): number {
  const factor = f.quantAware ? QAT_TAPE_FACTOR : PLAIN_TAPE_FACTOR;
  return activationElementsPerImage(f.graph) * 4 * factor;
}

/**
 * The automatic micro-batch size: the whole batch, except on wasm where at most
 * ⌊budget / bytesPerImage⌋ images (at least 1) run at once. Without an estimate (a model that
 * gives no footprint) the whole batch.
 */
export function autoMicroBatch(
  batchSize: number,
  bytesPerImage: number | undefined,
  backend: string,
  budget = WASM_TRAIN_BUDGET_BYTES,
): number {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be an integer ≥ 1, got ${batchSize}`);
  if (backend !== 'wasm' || bytesPerImage === undefined) return batchSize;
  if (!(bytesPerImage > 0 && Number.isFinite(bytesPerImage)))
    throw new Error(`bytesPerImage must be a finite number > 0, got ${bytesPerImage}`);
  if (!(budget > 0)) throw new Error(`budget must be > 0 bytes, got ${budget}`);
  return Math.max(1, Math.min(batchSize, Math.floor(budget / bytesPerImage)));
}

/**
 * Sizes of the ⌈n / micro⌉ micro-batches of a batch of n: as equal as possible, larger first
 * (32 at most 12 → 11, 11, 10), so no micro-batch is needlessly tiny for batch norm.
 */
export function microBatchSizes(n: number, micro: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`batch of ${n} images: need ≥ 1`);
  if (!Number.isInteger(micro) || micro < 1)
    throw new Error(`microBatch must be an integer ≥ 1, got ${micro}`);
  const k = Math.ceil(n / micro);
  const base = Math.floor(n / k);
  const extra = n - base * k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}
