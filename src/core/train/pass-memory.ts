/**
 * Memory-aware batching for the jobs besides training (issue 13, item 4): evaluation, activation
 * calibration, the K-FAC Fisher pass, Hessian-vector products (and the sensitivity measurement,
 * which runs evaluation and HVPs). A user's batch runs as micro-batches whose results are summed
 * (weighted by their share of the batch), so the batch size is a statistical choice, never a
 * crash. The estimate is the trainer's (micro-batch.ts): the graph's node outputs per image × 4
 * bytes × a factor per kind of pass, against the same heap budget. wasm and cpu split by default
 * (the wasm heap ends at 4 GB; cpu holds every tensor in this process's memory — a 100-record
 * OSI HVP would need ≈ 24 GB); WebGL / WebGPU run the whole batch unless given a memoryBudget,
 * as the trainer does.
 *
 * Factors, OSI-AI MicroNet on wasm (Node, one thread), 16.2 MiB of node outputs per image:
 * - `hvp` (double back-propagation, hvp.ts): the wasm heap grew 997 → 1999 → 2904 MiB at 4, 8, 12
 *   records in one pass (≈ 240 MiB ≈ 15× per record; tf.profile's peakBytes says 22×, counting
 *   the tape's shared Identity copies again): 16.
 * - `fisher` (one backward with the layer inputs and output gradients captured, fisher-pass.ts):
 *   peakBytes 5.2–5.3× at 2, 4, 8 records (heap ≈ 3.6×): 6.
 * - `forward` (eval forward, intermediates freed as soon as consumed): peakBytes 0.11–0.16×: ¼.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../graph/ir';
import {
  activationElementsPerImage,
  autoMicroBatch,
  microBatchSizes,
  WASM_TRAIN_BUDGET_BYTES,
} from './micro-batch';

/** Bytes per image of each kind of pass, as a multiple of the graph's node outputs (× 4 bytes). */
export const PASS_TAPE_FACTORS = { hvp: 16, fisher: 6, forward: 0.25 } as const;

export type PassKind = keyof typeof PASS_TAPE_FACTORS;

/** Backends whose passes split by default (see the header). */
const AUTO_SPLIT_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

/** How a job splits its batches into micro-batches. */
export interface MicroBatchOptions {
  /** Images per pass; overrides the automatic choice (≥ 1; at most the batch). */
  microBatch?: number;
  /**
   * Heap budget in bytes for the automatic choice. Given, it applies on EVERY backend (tests,
   * small devices); absent, wasm and cpu split under micro-batch.ts's WASM_TRAIN_BUDGET_BYTES.
   */
  memoryBudget?: number;
}

/** Estimated bytes of one image in a pass of `kind` over `graph`. */
export function passBytesPerImage(graph: Graph, kind: PassKind): number {
  return activationElementsPerImage(graph) * 4 * PASS_TAPE_FACTORS[kind];
}

/**
 * Images per pass for a batch of `batchSize`: options.microBatch, else as many as the budget
 * holds by the estimate (the whole batch on WebGL / WebGPU without options.memoryBudget, or
 * without a graph to estimate from).
 */
export function passMicroBatch(
  batchSize: number,
  graph: Graph | undefined,
  kind: PassKind,
  o: MicroBatchOptions = {},
): number {
  if (o.microBatch !== undefined) {
    if (!Number.isInteger(o.microBatch) || o.microBatch < 1)
      throw new Error(`microBatch must be an integer ≥ 1, got ${o.microBatch}`);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be an integer ≥ 1, got ${batchSize}`);
    return Math.min(batchSize, o.microBatch);
  }
  const bytes = graph ? passBytesPerImage(graph, kind) : undefined;
  const split = AUTO_SPLIT_BACKENDS.has(tf.getBackend());
  const budget = o.memoryBudget ?? (split ? WASM_TRAIN_BUDGET_BYTES : undefined);
  // autoMicroBatch splits by the budget on 'wasm' (and returns the whole batch otherwise).
  return autoMicroBatch(batchSize, bytes, budget === undefined ? 'none' : 'wasm', budget);
}

/** One micro-batch: its first index within the batch and its size. */
export interface MicroRange {
  start: number;
  size: number;
}

/** The micro-batches of a batch of n at most `micro` each (micro-batch.ts microBatchSizes). */
export function microBatchRanges(n: number, micro: number): MicroRange[] {
  let start = 0;
  return microBatchSizes(n, Math.min(n, micro)).map((size) => {
    const r = { start, size };
    start += size;
    return r;
  });
}

/**
 * The graph a model says it runs (a Network, a hooked or quantized runner: `graph`; a trainable
 * model: `footprint.graph`), for the estimate; undefined when it says none.
 */
export function modelGraph(model: object): Graph | undefined {
  const m = model as { graph?: Graph; footprint?: { graph?: Graph } };
  const g = m.graph ?? m.footprint?.graph;
  return g && Array.isArray(g.nodes) ? g : undefined;
}

/** Images per eval forward of `model` for a batch of `batchSize` (see passMicroBatch). */
export function forwardMicroBatch(
  model: object,
  batchSize: number,
  o: MicroBatchOptions = {},
): number {
  return passMicroBatch(batchSize, modelGraph(model), 'forward', o);
}
