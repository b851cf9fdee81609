/**
 * Evaluation in eval mode (BN running statistics): top-1, top-5 and mean cross-entropy over a
 * data source (or a subset of its indices), batch by batch, with progress and cancellation.
 * Sums stay on the device; one download per batch keeps progress honest on async backends. A
 * batch larger than one forward may hold runs as micro-batches (pass-memory.ts: automatic on
 * wasm and cpu for models that name their graph); the sums are the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeRng } from '../util/rng';
import { batchTensors, checkLabels } from './batching';
import { softmaxCrossEntropy } from './loss';
import { topKCountsTensor } from './metrics';
import { forwardMicroBatch, type MicroBatchOptions } from './pass-memory';
import { CancelledError, type BatchSource, type CancelSignal, type TrainableModel } from './types';
import { yieldToEventLoop } from '../util/yield';

export interface EvalProgress {
  done: number;
  total: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface EvalOptions extends MicroBatchOptions {
  batchSize: number;
  /** Which examples (default all, in order). */
  indices?: ArrayLike<number>;
  onProgress?: (p: EvalProgress) => void;
  signal?: CancelSignal;
}

export interface EvalResult {
  /** Fractions in [0, 1]. */
  top1: number;
  top5: number;
  /** Mean cross-entropy (no smoothing). */
  loss: number;
  n: number;
  imagesPerSecond: number;
}

/** Eval-mode model: only predict() is needed. */
export type Predictor = Pick<TrainableModel, 'predict'>;

function indexList(source: BatchSource, indices: ArrayLike<number> | undefined): Uint32Array {
  if (!indices) return Uint32Array.from({ length: source.size }, (_, i) => i);
  const out = Uint32Array.from(indices);
  for (const i of out)
    if (i >= source.size) throw new Error(`evaluate: index ${i} outside [0, ${source.size})`);
  return out;
}

/** Loss sum and top-1/top-5 counts of one batch: float32 [3]. */
function batchSums(
  model: Predictor,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  yData: Int32Array,
): tf.Tensor1D {
  return tf.tidy(() => {
    const logits = model.predict(x);
    checkLabels(yData, logits.shape[1]!);
    const loss = tf.mul(softmaxCrossEntropy(logits, y), y.shape[0]);
    return tf.concat([
      tf.reshape(loss, [1]),
      tf.cast(topKCountsTensor(logits, y), 'float32'),
    ]) as tf.Tensor1D;
  });
}

export async function evaluate(
  model: Predictor,
  source: BatchSource,
  o: EvalOptions,
): Promise<EvalResult> {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1)
    throw new Error(`evaluate: batchSize must be an integer ≥ 1, got ${o.batchSize}`);
  const order = indexList(source, o.indices);
  if (order.length === 0) throw new Error('evaluate: no examples to evaluate');
  const rng = makeRng(0); // unused without augmentation, but the source API takes one
  const start = performance.now();
  const sums = [0, 0, 0];
  const step = forwardMicroBatch(model, o.batchSize, o);
  for (let done = 0; done < order.length;) {
    if (o.signal?.aborted)
      throw new CancelledError(`evaluation cancelled after ${done} of ${order.length} examples`);
    const idx = order.subarray(done, Math.min(order.length, done + step));
    const batch = source.batch(idx, false, rng);
    const { x, y } = batchTensors(source, batch, idx.length);
    let s: tf.Tensor1D | undefined;
    try {
      s = batchSums(model, x, y, batch.y);
      const v = await s.data();
      for (let i = 0; i < 3; i++) sums[i]! += v[i]!;
    } finally {
      tf.dispose([x, y, ...(s ? [s] : [])]);
    }
    done += idx.length;
    const seconds = Math.max(1e-9, (performance.now() - start) / 1000);
    const rate = done / seconds;
    o.onProgress?.({
      done,
      total: order.length,
      imagesPerSecond: rate,
      etaSeconds: (order.length - done) / rate,
    });
    await yieldToEventLoop();
  }
  const n = order.length;
  const seconds = Math.max(1e-9, (performance.now() - start) / 1000);
  return {
    top1: sums[1]! / n,
    top5: sums[2]! / n,
    loss: sums[0]! / n,
    n,
    imagesPerSecond: n / seconds,
  };
}
