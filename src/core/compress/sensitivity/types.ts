/**
 * Types of the per-layer sensitivity report (measure-sensitivity.ts): one layer at a time at
 * each candidate weight width and extra sparsity, evaluated on a validation slice, plus the
 * HAWQ-v2 second-order estimate (Dong et al. 2020). Plain data: the worker and the CLI pass the
 * report on as JSON, and the planner (../plan) reads it back.
 */
import type { Recipe } from '../../recipe';
import type { MicroBatchOptions } from '../../train/pass-memory';
import type { BatchSource, CancelSignal } from '../../train/types';

export interface HessianOptions {
  /** Rademacher probes (each one exact Hessian-vector product over all weights). */
  probes: number;
  /** Batches of `batchSize` validation records the Hessian is taken over. */
  batches: number;
}

/**
 * `microBatch` / `memoryBudget` (pass-memory.ts) split the evaluations' and the Hessian's batches
 * into micro-batches (automatic on wasm and cpu).
 */
export interface SensitivityOptions extends MicroBatchOptions {
  /** Validation slice (all its records are evaluated, in order, without augmentation). */
  source: BatchSource;
  /** Training batches for the activation quantizers (needed when base quantizes activations). */
  calibration?: BatchSource;
  /** Evaluation batch size (default 100). */
  batchSize?: number;
  /**
   * Applied to every probe: activation bits, granularity, method, λ, BN folding, sparsity …
   * Its weight widths are dropped: every layer but the probed one keeps float weights.
   */
  base?: Recipe;
  /** Candidate weight widths (default [2, 3, 4, 6, 8]). */
  bits?: number[];
  /** Candidate extra magnitude sparsities, fractions of a layer's non-zeros (default [0.1, 0.25, 0.5]). */
  sparsities?: number[];
  /** Second-order estimate (default 1 probe over 1 batch); false skips it. */
  hessian?: HessianOptions | false;
  /** Seed of the Hutchinson probes (default 0). */
  seed?: number;
  signal?: CancelSignal;
  onProgress?: (p: { done: number; total: number; layer: string }) => void;
}

/** Loss and top-1 on the slice (absolute, not differences); value = bits or extra sparsity. */
export interface SensitivityPoint {
  value: number;
  loss: number;
  top1: number;
}

export interface LayerSensitivity {
  layer: string;
  op: string;
  /** Weights of the layer (its `.weight` tensor: what is pruned, and what the trace is over). */
  params: number;
  bits: SensitivityPoint[];
  sparsity: SensitivityPoint[];
  /** Hutchinson estimate of tr(H_ll), the Hessian block of this layer's weights. */
  hessianTrace?: number;
  /** ½·tr(H_ll)/n_l·‖Q_b(w_l) − w_l‖² for every width 2–16 (not only the measured ones). */
  secondOrder?: { bits: number; deltaLoss: number }[];
}

export interface SensitivityReport {
  /** Records of the slice. */
  n: number;
  /** The base recipe (float weights) on the slice. */
  base: { loss: number; top1: number };
  layers: LayerSensitivity[];
  /** The base recipe the probes were run under (weight widths removed). */
  recipe: Recipe;
  seconds: number;
}
