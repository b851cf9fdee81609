/**
 * The data passes of the K-FAC analysis (kfac-analysis.ts): batch by batch, one Fisher pass
 * (fisher-pass.ts) per micro-batch — train/pass-memory.ts 'fisher': automatic on wasm and cpu, or
 * KfacOptions.microBatch / memoryBudget — with each layer's per-micro-batch result accumulated in
 * float64: batch MEANS (the factors A, G) weighted by micro-batch size / batch size, SUMS (the
 * EKFAC squares) as they are. In eval mode samples do not interact, so a batch gives what it
 * gives in one piece, up to float rounding (exactly that when it runs whole). The true Fisher's
 * labels are drawn once per batch from the softmax of all its micro-batches with the batch's own
 * random stream: the same labels however the batch is split.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inferShapes, type ShapeMap } from '../../graph/shapes';
import { batchTensors, deriveSeed } from '../../train/batching';
import { microBatchRanges, type MicroRange } from '../../train/pass-memory';
import { CancelledError, type Batch, type CancelSignal } from '../../train/types';
import { makeRng } from '../../util/rng';
import { fisherPass, sampleLabels } from './fisher-pass';
import type { KfacEta } from './kfac-eta';
import type { PlannedLayer } from './layer-plan';
import type { KfacOptions } from './kfac-types';
import { yieldToEventLoop } from '../../util/yield';

const SEED_LABELS = 0x6c61626c;

export interface Run {
  o: KfacOptions;
  layers: PlannedLayer[];
  useBias: boolean;
  /** Example indices per batch. */
  batches: Uint32Array[];
  /** Labels per batch, fixed in pass 1 and reused in pass 2. */
  labels: Int32Array[];
  eta: KfacEta;
  /** Examples per Fisher pass (pass-memory.ts). */
  microBatch: number;
}

/** Per layer: a tensor to download from its input and output gradient (inside a tidy). */
export type Visit = (layer: PlannedLayer, input: tf.Tensor, grad: tf.Tensor) => tf.Tensor;

export function checkCancel(signal: CancelSignal | undefined, where: string): void {
  if (signal?.aborted) throw new CancelledError(`K-FAC analysis cancelled during ${where}`);
}

/** Examples [r.start, r.start + r.size) of a batch as tensors. */
function partTensors(run: Run, batch: Batch, r: MicroRange) {
  const [h, w, c] = run.o.source.imageShape ?? [32, 32, 3];
  const per = h * w * c;
  const part = {
    x: batch.x.subarray(r.start * per, (r.start + r.size) * per),
    y: batch.y.subarray(r.start, r.start + r.size),
  };
  return batchTensors(run.o.source, part, r.size);
}

/** Softmax of the model on one micro-batch, downloaded. */
async function partProbs(run: Run, batch: Batch, r: MicroRange): Promise<Float32Array> {
  const { x, y } = partTensors(run, batch, r);
  const probs = tf.tidy(() => tf.softmax(run.o.net.predict(x)));
  try {
    return (await probs.data()) as Float32Array;
  } finally {
    tf.dispose([x, y, probs]);
  }
}

/** Labels for batch b: sampled from softmax(logits) (true Fisher) or the data's own. */
async function labelsFor(run: Run, b: number, batch: Batch, ranges: MicroRange[]) {
  if (run.o.fisher === 'empirical') return batch.y;
  const parts: Float32Array[] = [];
  for (const r of ranges) parts.push(await partProbs(run, batch, r));
  const probs = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    probs.set(p, at);
    at += p.length;
  }
  const k = probs.length / batch.y.length;
  return sampleLabels(probs, k, makeRng(deriveSeed(run.o.seed, SEED_LABELS, b)));
}

/** acc[i] += weight · values[i] (acc[i] created on first use). */
async function accumulate(acc: Float64Array[], outs: tf.Tensor[], weight: number) {
  for (let i = 0; i < outs.length; i++) {
    const v = await outs[i]!.data();
    const a = (acc[i] ??= new Float64Array(v.length));
    for (let j = 0; j < v.length; j++) a[j]! += weight * v[j]!;
  }
}

/** One Fisher pass over micro-batch r of batch b; adds weight × each layer's visit to acc. */
async function microPass(
  run: Run,
  b: { index: number; batch: Batch; r: MicroRange; weight: number; shapes: ShapeMap },
  visit: Visit,
  acc: Float64Array[],
): Promise<void> {
  const { net } = run.o;
  const { x, y } = partTensors(run, b.batch, b.r);
  const labels = run.labels[b.index]!.subarray(b.r.start, b.r.start + b.r.size);
  const l = tf.tensor1d(labels, 'int32');
  let outs: tf.Tensor[] = [];
  try {
    const names = run.layers.map((layer) => layer.name);
    const cap = fisherPass(net.graph, net.lookup(), b.shapes, names, x, l);
    try {
      outs = tf.tidy(() =>
        run.layers.map((layer) =>
          visit(layer, cap.inputs.get(layer.name)!, cap.grads.get(layer.name)!),
        ),
      );
    } finally {
      tf.dispose([...cap.inputs.values(), ...cap.grads.values()]);
    }
    await accumulate(acc, outs, b.weight);
  } finally {
    tf.dispose([x, y, l, ...outs]);
  }
}

/**
 * One pass over the first `count` batches; `visit` gets each layer's input and output gradient
 * per micro-batch, and `take` each layer's batch total ('mean': micro-batches weighted by their
 * share of the batch; 'sum': added).
 */
export async function pass(
  run: Run,
  count: number,
  phase: 'factors' | 'ekfac',
  reduce: 'mean' | 'sum',
  visit: Visit,
  take: (index: number, values: Float64Array) => void,
): Promise<void> {
  const shapes = inferShapes(run.o.net.graph);
  for (let index = 0; index < count; index++) {
    checkCancel(run.o.signal, `${phase} batch ${index + 1}/${count}`);
    const start = performance.now();
    const idx = run.batches[index]!;
    const batch = run.o.source.batch(idx, false, makeRng(0));
    const ranges = microBatchRanges(idx.length, run.microBatch);
    if (phase === 'factors') run.labels[index] = await labelsFor(run, index, batch, ranges);
    const acc: Float64Array[] = [];
    for (const r of ranges) {
      const weight = reduce === 'mean' ? r.size / idx.length : 1;
      await microPass(run, { index, batch, r, weight, shapes }, visit, acc);
    }
    acc.forEach((v, i) => take(i, v));
    run.eta.batchDone((performance.now() - start) / 1000);
    run.o.onProgress?.(run.eta.progress(phase, index + 1, count));
    await yieldToEventLoop();
  }
}
