/**
 * The Spectra panel's side of the contract (analysis-service.ts): what "Analyse" runs and the
 * K-FAC and Hessian spectra it returns as plain numbers.
 */
import type { SplitName } from './data';
import type { NetworkInfo } from './network';

/** What the Spectra panel's "Analyse" runs (analysis-service.ts). */
export interface AnalyseOptions {
  /** K-FAC: `kfacBatches` batches of `batchSize` training records (no augmentation). */
  kfacBatches: number;
  batchSize: number;
  /** Hessian: the first `hessianRecords` test records; 0 skips the Hessian. */
  hessianRecords: number;
  /** Largest Hessian eigenvalues wanted (default 5). */
  topK?: number;
  /** Lanczos steps for them (default 20). */
  lanczosSteps?: number;
  /** SLQ / Hutchinson probes (default 3) and Lanczos steps per probe (default 16). */
  probes?: number;
  densitySteps?: number;
  seed?: number;
}

/** One conv / dense layer's K-FAC spectra (the eigenvectors stay in the worker). */
export interface LayerSpectrum {
  name: string;
  op: 'conv2d' | 'dense';
  kernel: number;
  inChannels: number;
  outChannels: number;
  /** Eigenvalues of the damped Kronecker factors A (inputs) and G (output gradients), descending. */
  eigA: Float64Array;
  eigG: Float64Array;
  /** EKFAC saliency summed per eigen-direction of G (rows) and of A (columns). */
  rowSaliency: Float64Array;
  colSaliency: Float64Array;
}

/** The whole network's Hessian spectrum (core/analysis/hessian) as plain numbers. */
export interface HessianSummary {
  top: number[];
  topResiduals: number[];
  smallest: number;
  trace: number;
  traceStdErr: number;
  density: { grid: number[]; values: number[]; nodes: number[]; weights: number[]; sigma: number };
  /** Parameters (H is params × params) and records behind the loss. */
  params: number;
  records: number;
  hvps: number;
  seconds: number;
  /** Records per Hessian-vector pass: the batch size unless split to fit memory (pass-memory.ts). */
  microBatch: number;
}

/** How a pass of `batchSize` records ran: in micro-batches of `microBatch` when split. */
export interface PassSplit {
  batchSize: number;
  microBatch: number;
  /** Estimated bytes of one whole-batch pass (pass-memory.ts), for the notice. */
  wholeBatchBytes: number;
}

export interface AnalysisResult {
  /** Changes with every analysis; pruning plans name the one they use. */
  analysisId: number;
  network: NetworkInfo;
  layers: LayerSpectrum[];
  skipped: { name: string; reason: string }[];
  /** Records behind the K-FAC factors and the split they came from. */
  kfacSamples: number;
  kfacSplit: SplitName;
  hessian: HessianSummary | null;
  seconds: number;
  /** The K-FAC (Fisher) and Hessian passes as run (null: no Hessian). */
  passes: { kfac: PassSplit; hessian: PassSplit | null };
}
