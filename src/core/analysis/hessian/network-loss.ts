/**
 * The loss whose Hessian the lab analyses: the mean softmax cross-entropy of a Network's MAIN
 * output over given records, in eval mode (BN running statistics, ShakeDrop as its expectation,
 * no augmentation), as a function of every trainable parameter the main output depends on
 * (zero weights included: they are free parameters). Extra heads (e.g. OSI's early exit) are
 * left out of both the forward pass and the parameter list: the main loss is flat along them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forward } from '../../graph/forward';
import type { Graph } from '../../graph/ir';
import type { Network } from '../../graph/network';
import { listParams } from '../../graph/params';
import { makeRng } from '../../util/rng';
import { microBatchRanges, passMicroBatch, type MicroBatchOptions } from '../../train/pass-memory';
import type { Batch, BatchSource } from '../../train/types';
import { crossEntropyForHessian } from './cross-entropy';
import type { LossModel } from './hvp';

/** The graph cut down to the ancestors of its main output (no extra outputs). */
export function mainOutputGraph(graph: Graph): Graph {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const keep = new Set<string>();
  const stack = [graph.output];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (keep.has(name)) continue;
    keep.add(name);
    for (const i of byName.get(name)?.inputs ?? []) stack.push(i);
  }
  const main: Graph = { ...graph, nodes: graph.nodes.filter((n) => keep.has(n.name)) };
  delete main.extraOutputs;
  return main;
}

export interface NetworkLossModel extends LossModel {
  /** Parameter names, aligned with vars. */
  names: string[];
  /** Number of records. */
  count: number;
  /** Records per double-backprop pass: the largest micro-batch (pass-memory.ts). */
  microBatch: number;
  /** Frees the batch tensors (not the network). */
  dispose(): void;
}

function inputShape(graph: Graph): [number, number, number] {
  const spec = graph.nodes.find((n) => n.spec.op === 'input')?.spec;
  if (spec?.op !== 'input') throw new Error(`graph '${graph.name}' has no input node`);
  return [spec.height, spec.width, spec.channels];
}

/** Throws naming batch `index` when its pixels or labels do not fit the graph. */
function checkBatch(b: Batch, shape: [number, number, number], k: number, index: number): void {
  const n = b.y.length;
  const per = shape[0] * shape[1] * shape[2];
  if (n < 1 || b.x.length !== n * per)
    throw new Error(
      `hessian batch ${index}: ${b.x.length} pixel values for ${n} labels of shape [${shape}]`,
    );
  for (const label of b.y)
    if (!(label >= 0 && label < k))
      throw new Error(`hessian batch ${index}: label ${label} outside [0, ${k})`);
}

/** Batch b's records [start, start + size) (a micro-batch of it). */
function slice(b: Batch, per: number, start: number, size: number): Batch {
  if (start === 0 && size === b.y.length) return b;
  return {
    x: b.x.subarray(start * per, (start + size) * per),
    y: b.y.subarray(start, start + size),
  };
}

/** The batches cut into micro-batches of at most `micro` records (one pass each). */
function microBatches(batches: readonly Batch[], per: number, micro: number): Batch[] {
  return batches.flatMap((b) =>
    microBatchRanges(b.y.length, micro).map((r) => slice(b, per, r.start, r.size)),
  );
}

/**
 * L(θ) = (1/N) Σ_records CE(main logits, label) = Σ_passes (n_p/N)·mean_p CE, each batch run as
 * micro-batches (pass-memory.ts: automatic on wasm and cpu, or `o.microBatch` /
 * `o.memoryBudget`) — in eval mode records do not interact, so the sum is the whole batch's
 * loss, gradient and HVP.
 * x: NHWC float32, normalised (as forward expects). The network must outlive the model.
 */
export function networkLossModel(
  net: Network,
  batches: readonly Batch[],
  o: MicroBatchOptions = {},
): NetworkLossModel {
  if (batches.length === 0) throw new Error('networkLossModel: no batches');
  const graph = mainOutputGraph(net.graph);
  const shape = inputShape(graph);
  const names = listParams(graph)
    .filter((p) => p.trainable)
    .map((p) => p.name);
  const vars = names.map((name) => net.getTensor(name));
  const lookup = net.lookup();
  batches.forEach((b, i) => checkBatch(b, shape, graph.numClasses, i));
  const micro = passMicroBatch(Math.max(...batches.map((b) => b.y.length)), graph, 'hvp', o);
  const data = microBatches(batches, shape[0] * shape[1] * shape[2], micro).map((b) => ({
    x: tf.tensor4d(b.x, [b.y.length, ...shape]),
    y: tf.tensor1d(b.y, 'int32'),
  }));
  const count = data.reduce((s, d) => s + d.y.shape[0]!, 0);
  const terms = data.map((d) => ({
    weight: d.y.shape[0]! / count,
    loss: () => {
      const { output } = forward(graph, lookup, d.x, { training: false });
      return crossEntropyForHessian(output, d.y);
    },
  }));
  return {
    vars,
    terms,
    names,
    count,
    microBatch: Math.max(...data.map((d) => d.y.shape[0]!)),
    dispose: () => data.forEach((d) => tf.dispose([d.x, d.y])),
  };
}

/** The first `count` records of a source, in order and without augmentation, in batches. */
export function sourceBatches(source: BatchSource, count: number, batchSize: number): Batch[] {
  if (!Number.isInteger(count) || count < 1 || count > source.size)
    throw new Error(`sourceBatches: count must be an integer in [1, ${source.size}], got ${count}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`sourceBatches: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const rng = makeRng(0); // unused without augmentation; the source API takes one
  const out: Batch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    out.push(source.batch(idx, false, rng));
  }
  return out;
}
