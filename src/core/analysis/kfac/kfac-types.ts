/** Public types of the K-FAC / EKFAC eigen analysis (see kfac-analysis.ts). */
import type { Network } from '../../graph/network';
import type { MicroBatchOptions } from '../../train/pass-memory';
import type { BatchSource, CancelSignal } from '../../train/types';
import type { Damping } from './damping';
import type { KfacSkipped } from './layer-plan';

export type { KfacSkipped };

/**
 * `microBatch` / `memoryBudget` (pass-memory.ts): examples per Fisher pass, each batch's
 * statistics accumulated over its micro-batches (automatic on wasm and cpu).
 */
export interface KfacOptions extends MicroBatchOptions {
  net: Network;
  /** Training data; read without augmentation. */
  source: BatchSource;
  /** Batches for the factors A, G. */
  batches: number;
  batchSize: number;
  /** Seeds the example order and the labels sampled from the softmax. */
  seed: number;
  /** λ of the factored damping (default 1e-3). */
  damping?: number;
  /** Running-average weight of the old factor per batch (default 0.9; first batch sets it). */
  movingAverage?: number;
  /** Batches (the first ones again, same labels) for the EKFAC correction (default `batches`). */
  ekfacBatches?: number;
  /** 'true' (default): labels sampled from the model's softmax; 'empirical': the data's labels. */
  fisher?: 'true' | 'empirical';
  /** Fold a layer's bias into A (a 1/k² input column) and into the saliency (default true). */
  useBias?: boolean;
  /** Examples to use, in order (default: a seeded permutation of the source). */
  indices?: ArrayLike<number>;
  /** Restrict to these conv2d/dense layers. */
  layers?: readonly string[];
  /** Also return the undamped factors and the EKFAC eigenvalues (tests, debugging). */
  keepFactors?: boolean;
  signal?: CancelSignal;
  onProgress?: (p: KfacProgress) => void;
}

export interface KfacProgress {
  phase: 'factors' | 'eigen' | 'ekfac';
  /** Steps of this phase done / in all: batches, or layers for 'eigen'. */
  done: number;
  total: number;
  /** Share of the whole analysis done (time-weighted estimate), 0…1. */
  fraction: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface KfacLayer {
  name: string;
  op: 'conv2d' | 'dense';
  kernel: number;
  inChannels: number;
  outChannels: number;
  /** The bias is folded in: A, qA, eigA and the saliency columns have c_in + 1 entries, the last
   * being the bias coordinate (input constant 1/k² per tap). */
  hasBias: boolean;
  /** c′ = c_in (+1) and c_out. */
  dimA: number;
  dimG: number;
  /** Eigenvalues of the damped factors, descending. */
  eigA: Float64Array;
  eigG: Float64Array;
  /** Row-major dimA×dimA / dimG×dimG; column j is the eigenvector of eigA[j] / eigG[j]. */
  qA: Float64Array;
  qG: Float64Array;
  /** c_out × c′ row-major, Σ_taps s ⊙ W′² (row i ↔ eigG[i], column j ↔ eigA[j]). */
  saliency: Float64Array;
  rowSaliency: Float64Array;
  colSaliency: Float64Array;
  damping: Damping;
  factors?: {
    /** Undamped running averages, row-major. */
    A: Float64Array;
    G: Float64Array;
    /** EKFAC eigenvalues s: [k²][c_out][c′], the mean over samples of (Q_Gᵀ ∇W_n Q_A)². */
    ekfac: Float64Array;
  };
}

export interface KfacResult {
  layers: KfacLayer[];
  skipped: KfacSkipped[];
  /** Examples behind the factors / behind the EKFAC correction. */
  samples: number;
  ekfacSamples: number;
  /** Examples per Fisher pass (the batch size unless split; pass-memory.ts). */
  microBatch: number;
  seconds: number;
}
