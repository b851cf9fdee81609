/**
 * Evaluation with an early-exit head (BranchyNet-style, Teerapittayanon et al. 2016; the rule of
 * OSI-AI MicroNet): an image exits when the exit head's largest softmax probability is strictly
 * greater than `threshold`, and then its prediction is the exit head's argmax; otherwise the main
 * network's. Reports the main network's top-1/top-5/cross-entropy, the top-1 under the rule, the
 * exit rate and every per-image prediction. Both heads run on every image (forward in eval mode
 * returns the main logits and `extra[exitKey]`); the decision is made per image afterwards, which
 * gives the same predictions as skipping the rest of the network for the exiting images.
 * With `blend` w > 0 an image that does not exit is classified by argmax(softmax(main) + w ·
 * softmax(exit)) (recipe.exitBlend: the two heads as an ensemble); `top1` stays the main head's.
 * A graph Network is evaluated through its eval-only rewrite (graph/inference-graph.ts) unless
 * `inferenceRewrite: false`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardResult } from '../graph/forward';
import { inferenceNetwork } from '../graph/inference-graph';
import { Network } from '../graph/network';
import { makeRng } from '../util/rng';
import { batchTensors, checkLabels } from './batching';
import type { EvalProgress } from './evaluate';
import { softmaxCrossEntropy } from './loss';
import { topKCountsTensor } from './metrics';
import { forwardMicroBatch, type MicroBatchOptions } from './pass-memory';
import { CancelledError, type Batch, type BatchSource, type CancelSignal } from './types';
import { yieldToEventLoop } from '../util/yield';

/** A model whose eval forward returns main logits and named extra outputs (graph/Network). */
export interface EarlyExitModel {
  forward(x: tf.Tensor4D, opts: { training: false }): Pick<ForwardResult, 'output' | 'extra'>;
}

/** Batches run as micro-batches where one forward would not fit (pass-memory.ts). */
export interface EarlyExitOptions extends MicroBatchOptions {
  batchSize: number;
  /** Exit iff max softmax(exit logits) > threshold, compared in float32 (default 0.85). */
  threshold?: number;
  /** Weight of the exit head's softmax in the prediction of non-exiting images (default 0). */
  blend?: number;
  /** Key of the exit logits in forward's `extra` (default 'exit'). */
  exitKey?: string;
  /** Which examples (default all, in order). */
  indices?: ArrayLike<number>;
  onProgress?: (p: EvalProgress) => void;
  signal?: CancelSignal;
  /**
   * When the model is a graph Network, evaluate its eval-only rewrite (graph/inference-graph.ts:
   * BN folded into convs, global means as window pools; same outputs to float32 rounding,
   * ~1.5× faster on wasm). Default true.
   */
  inferenceRewrite?: boolean;
}

export interface EarlyExitResult {
  /** Main network alone: fractions in [0, 1] and mean cross-entropy. */
  top1: number;
  top5: number;
  loss: number;
  n: number;
  /** Top-1 with the early-exit rule. */
  top1EarlyExit: number;
  /** Fraction of images that exit early. */
  exitRate: number;
  /** Exit head alone on every image. */
  top1ExitHead: number;
  /** Per evaluated image, in evaluation order: argmax of the main logits. */
  predMain: Uint8Array;
  /** Prediction under the rule. */
  predEarlyExit: Uint8Array;
  /** 1 where the image exits. */
  exitMask: Uint8Array;
  /** Max softmax probability of the exit head. */
  exitMaxProb: Float32Array;
  imagesPerSecond: number;
}

function indexList(size: number, indices: ArrayLike<number> | undefined): Uint32Array {
  if (!indices) return Uint32Array.from({ length: size }, (_, i) => i);
  const out = Uint32Array.from(indices);
  for (const i of out)
    if (i >= size) throw new Error(`evaluateWithEarlyExit: index ${i} outside [0, ${size})`);
  return out;
}

/**
 * One batch on the device, packed for a single download: float32 [2 + 4n] =
 * [loss sum, top-5 count, argmax main (n), argmax exit (n), max softmax exit (n), argmax of the
 * blend (n): softmax(main) + blend · softmax(exit), the main argmax itself when blend is 0].
 */
function batchOutputs(
  model: EarlyExitModel,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  yData: Int32Array,
  exitKey: string,
  blend: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const { output, extra } = model.forward(x, { training: false }); // freed by the tidy
    const exit = extra[exitKey];
    if (!exit) {
      throw new Error(
        `evaluateWithEarlyExit: forward has no extra output '${exitKey}' (has: ${Object.keys(extra).join(', ') || 'none'})`,
      );
    }
    checkLabels(yData, output.shape[1]!);
    const n = y.shape[0];
    const loss = tf.reshape(tf.mul(softmaxCrossEntropy(output, y), n), [1]);
    const top5 = tf.slice(tf.cast(topKCountsTensor(output, y), 'float32'), [1], [1]);
    const argMain = tf.cast(tf.argMax(output, 1), 'float32');
    const argExit = tf.cast(tf.argMax(exit, 1), 'float32');
    const exitProb = tf.softmax(exit);
    const maxProb = tf.max(exitProb, 1);
    const argBlend =
      blend > 0
        ? tf.cast(tf.argMax(tf.add(tf.softmax(output), tf.mul(exitProb, blend)), 1), 'float32')
        : argMain;
    return tf.concat([loss, top5, argMain, argExit, maxProb, argBlend]) as tf.Tensor1D;
  });
}

interface Totals {
  loss: number;
  top5: number;
  correctMain: number;
  correctEarly: number;
  correctExitHead: number;
  exits: number;
}

/** Fills the per-image arrays from one downloaded batch and updates the totals. */
function record(
  v: Float32Array,
  labels: Int32Array,
  at: number,
  threshold: number,
  out: EarlyExitResult,
  t: Totals,
): void {
  const n = labels.length;
  t.loss += v[0]!;
  t.top5 += v[1]!;
  for (let i = 0; i < n; i++) {
    const main = v[2 + i]!;
    const head = v[2 + n + i]!;
    const prob = v[2 + 2 * n + i]!;
    const exits = prob > threshold;
    const pred = exits ? head : v[2 + 3 * n + i]!;
    out.predMain[at + i] = main;
    out.predEarlyExit[at + i] = pred;
    out.exitMask[at + i] = exits ? 1 : 0;
    out.exitMaxProb[at + i] = prob;
    const y = labels[i]!;
    t.correctMain += main === y ? 1 : 0;
    t.correctEarly += pred === y ? 1 : 0;
    t.correctExitHead += head === y ? 1 : 0;
    t.exits += exits ? 1 : 0;
  }
}

function checkOptions(o: EarlyExitOptions): number {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1)
    throw new Error(`evaluateWithEarlyExit: batchSize must be an integer ≥ 1, got ${o.batchSize}`);
  const blend = o.blend ?? 0;
  if (!(blend >= 0 && blend <= 4))
    throw new Error(`evaluateWithEarlyExit: blend must be in [0, 4], got ${blend}`);
  const threshold = o.threshold ?? 0.85;
  if (!(threshold >= 0 && threshold <= 1))
    throw new Error(`evaluateWithEarlyExit: threshold must be in [0, 1], got ${threshold}`);
  return Math.fround(threshold); // PyTorch compares the float32 probability with a float32 0.85
}

function emptyResult(n: number): EarlyExitResult {
  return {
    top1: 0,
    top5: 0,
    loss: 0,
    n,
    top1EarlyExit: 0,
    exitRate: 0,
    top1ExitHead: 0,
    predMain: new Uint8Array(n),
    predEarlyExit: new Uint8Array(n),
    exitMask: new Uint8Array(n),
    exitMaxProb: new Float32Array(n),
    imagesPerSecond: 0,
  };
}

/** Evaluates `model` on `source` in eval mode with the early-exit rule; see EarlyExitResult. */
export async function evaluateWithEarlyExit(
  model: EarlyExitModel,
  source: BatchSource,
  o: EarlyExitOptions,
): Promise<EarlyExitResult> {
  const threshold = checkOptions(o);
  const order = indexList(source.size, o.indices);
  const n = order.length;
  if (n === 0) throw new Error('evaluateWithEarlyExit: no examples to evaluate');
  const rewrite = (o.inferenceRewrite ?? true) && model instanceof Network;
  const runner = rewrite ? await inferenceNetwork(model) : model;
  try {
    return await run(runner, source, order, threshold, o);
  } finally {
    if (rewrite) (runner as Network).dispose();
  }
}

/** Runs one batch and downloads its packed outputs (see batchOutputs). */
async function evalBatch(
  model: EarlyExitModel,
  source: BatchSource,
  batch: Batch,
  exitKey: string,
  blend: number,
): Promise<Float32Array> {
  const { x, y } = batchTensors(source, batch, batch.y.length);
  let packed: tf.Tensor1D | undefined;
  try {
    packed = batchOutputs(model, x, y, batch.y, exitKey, blend);
    return (await packed.data()) as Float32Array;
  } finally {
    tf.dispose([x, y, ...(packed ? [packed] : [])]);
  }
}

async function run(
  model: EarlyExitModel,
  source: BatchSource,
  order: Uint32Array,
  threshold: number,
  o: EarlyExitOptions,
): Promise<EarlyExitResult> {
  const n = order.length;
  const rng = makeRng(0); // the source API takes one; unused without augmentation
  const res = emptyResult(n);
  const t: Totals = {
    loss: 0,
    top5: 0,
    correctMain: 0,
    correctEarly: 0,
    correctExitHead: 0,
    exits: 0,
  };
  const start = performance.now();
  const rate = (done: number) => done / Math.max(1e-9, (performance.now() - start) / 1000);
  const step = forwardMicroBatch(model, o.batchSize, o);
  for (let done = 0; done < n;) {
    if (o.signal?.aborted)
      throw new CancelledError(`evaluation cancelled after ${done} of ${n} examples`);
    const idx = order.subarray(done, Math.min(n, done + step));
    const batch = source.batch(idx, false, rng);
    const packed = await evalBatch(model, source, batch, o.exitKey ?? 'exit', o.blend ?? 0);
    record(packed, batch.y, done, threshold, res, t);
    done += idx.length;
    const r = rate(done);
    o.onProgress?.({ done, total: n, imagesPerSecond: r, etaSeconds: (n - done) / r });
    await yieldToEventLoop();
  }
  const frac = (count: number) => count / n;
  return {
    ...res,
    top1: frac(t.correctMain),
    top5: frac(t.top5),
    loss: frac(t.loss),
    top1EarlyExit: frac(t.correctEarly),
    exitRate: frac(t.exits),
    top1ExitHead: frac(t.correctExitHead),
    imagesPerSecond: rate(n),
  };
}
