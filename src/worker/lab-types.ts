/**
 * Plain data that crosses the main-thread ↔ worker boundary (structured clone; big arrays are
 * transferred). No tfjs imports here: the main thread imports these types only.
 */
import type { MagnitudeProfile } from '../core/compress/sparsity/index.ts';
import type { Graph } from '../core/graph/ir.ts';
import type { Recipe } from '../core/recipe/index.ts';
import type { NetworkOrigin } from '../protocol/network.ts';

// Defined in src/protocol (persist keeps them too), part of this contract.
export type { NetworkOrigin } from '../protocol/network.ts';
export type { AugmentConfig, MetricPoint, TrainConfig, TrainSummary } from '../protocol/train.ts';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendAttempt {
  name: string;
  reason: string;
}

/** Which backend runs, why, and what was tried before it. */
export interface BackendInfo {
  name: string;
  reason: string;
  /** True when `?backend=` forced it. */
  forced: boolean;
  fallbacks: BackendAttempt[];
  /** The worker's `crossOriginIsolated` (needed for multi-threaded wasm). */
  crossOriginIsolated?: boolean;
  /** On wasm: XNNPACK threads (1 = the single-threaded build). */
  wasmThreads?: number;
}

/** What the worker reports about its tfjs state (used by the e2e test hook). */
export interface DebugInfo {
  tfBackend: string;
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean } | null;
  numTensors: number;
}

export type SplitName = 'train' | 'test';

export interface SplitSummary {
  count: number;
  /** Where the split came from (file name, URL, "cache"). */
  source: string;
}

export interface DatasetSummary {
  train: SplitSummary | null;
  test: SplitSummary | null;
  fineNames: string[];
  coarseNames: string[];
}

/** Sample images for the grid: `count` RGBA 32×32 images, row-major, 4096 bytes each. */
export interface SampleImages {
  split: SplitName;
  count: number;
  rgba: Uint8ClampedArray;
  fine: number[];
  coarse: number[];
}

export interface CacheInfo {
  /** Bytes of the cached dataset (images + labels), 0 when nothing is cached. */
  bytes: number;
  savedAt: string | null;
  trainCount: number;
  testCount: number;
  /** navigator.storage.estimate(), when available. */
  usage: number | null;
  quota: number | null;
}

export interface LoadResult {
  summary: DatasetSummary;
  samples: SampleImages | null;
  cache: CacheInfo;
  fromCache: boolean;
  /** Non-fatal note (e.g. "could not cache: quota exceeded"). */
  warning: string | null;
}

/** Progress of any long job; `total` null when unknown. */
export interface JobProgress {
  phase: string;
  done: number;
  total: number | null;
  /** Unit of done/total, e.g. "bytes", "steps", "images". */
  unit: string;
  etaSeconds: number | null;
}

export interface ModelInfo {
  name: string;
  params: number;
}

export interface EvalConfig {
  batchSize: number;
  /** The first `limit` test images; null or absent: all of them. */
  limit?: number | null;
}

/** Top-1 under a network's early-exit rule (an image exits when the exit head is confident). */
export interface EarlyExitStats {
  /** Top-1 with the rule, 0–1. */
  top1: number;
  /** Fraction of images that exit at the early head. */
  exitRate: number;
  /** Max softmax probability above which an image exits. */
  threshold: number;
}

export interface EvalResult {
  top1: number;
  top5: number;
  loss: number;
  n: number;
  imagesPerSecond: number;
  model: string;
  /** True when the network was evaluated straight after initialisation (never trained). */
  untrained: boolean;
  /** Set when the network has an early-exit head. */
  earlyExit: EarlyExitStats | null;
  /** The network that was evaluated (the current one; built from `model` when there was none). */
  network: NetworkInfo;
  /** Its content key (ScoreInputs.networkKey). */
  networkKey: string;
}

/** The worker's one current network, which Evaluate and Export use. */
export interface NetworkInfo {
  /** Graph name, e.g. "osi-micronet" or "tiny". */
  name: string;
  origin: NetworkOrigin;
  /** File name or URL it was imported from; null otherwise. */
  source: string | null;
  params: number;
  /** Keys of the graph's extra outputs, e.g. ["exit"]. */
  extraOutputs: string[];
  /** Set when the network came from a compressed checkpoint: the recipe it was compressed with. */
  compressedRecipe?: Recipe;
}

export type CheckpointFormatName =
  'safetensors' | 'micronet-lab' | 'micronet-compressed' | 'torch-zip' | 'torch-legacy';

export interface TensorRow {
  name: string;
  shape: number[];
  dtype: string;
  /** Exact zeros among the tensor's elements. */
  zeros: number;
}

/** What an imported checkpoint holds (shown even when no architecture fits it). */
export interface CheckpointReport {
  fileName: string;
  bytes: number;
  format: CheckpointFormatName;
  tensorCount: number;
  /** Learnable elements (BN running statistics and counters excluded). */
  params: number;
  zeros: number;
  zeroShare: number;
  table: TensorRow[];
  /** Zoo architecture the tensors fit, or the lab checkpoint's graph name; null when none. */
  architecture: string | null;
  /** Why no architecture fits (null when one does). */
  unrecognized: string | null;
}

export interface ImportResult {
  report: CheckpointReport;
  /** The new current network; null when the checkpoint fits no architecture (the old one stays). */
  network: NetworkInfo | null;
}

/** What to import: a file the user chose or dropped, or a URL (the server must send CORS). */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'url'; url: string };

/** A lab checkpoint of the current network, ready to save. */
export interface ExportResult {
  fileName: string;
  bytes: Uint8Array;
  network: NetworkInfo;
}

/** One file of a compressed export (see store/export-slice.ts). */
export interface CompressedExportFile {
  kind: 'compressed' | 'safetensors' | 'recipe';
  fileName: string;
  bytes: Uint8Array;
}

export interface CompressedExportResult {
  files: CompressedExportFile[];
  /** Parameter storage the score counts for the recipe, in bytes (storage bits / 8). */
  storageBytes: number;
}

/** "Export for PyTorch": the torch job folder as one .zip (worker/torch-export-service.ts). */
export interface TorchExportResult {
  fileName: string;
  bytes: Uint8Array;
  /** Paths inside the zip, e.g. "tiny-torch-job/job.json". */
  entries: string[];
  /** Where the golden images came from, e.g. "first 8 test records". */
  goldenSource: string;
  /** The recipe written to recipe.json (validated). */
  recipe: Recipe;
}

/** Thrown across the boundary as an Error whose name is 'AbortError' when a job is cancelled. */
export const ABORT_ERROR_NAME = 'AbortError';

/**
 * What the Score panel needs to score recipes on the main thread (src/core/score): the current
 * network's graph, a magnitude profile of its prunable weights (for the global magnitude
 * threshold), each layer's existing zero fraction, and its last measured early-exit rate.
 */
export interface ScoreInputs {
  graph: Graph;
  profile: MagnitudeProfile;
  layerZeroFraction: Record<string, number>;
  /** Early-exit rate from the last evaluation of this network; null if not measured or no exit head. */
  exitRate: number | null;
  network: NetworkInfo;
  /** Changes whenever the current network (or its weights, after training) changes. */
  networkId: number;
  /** The network's content key (same weights → same key, across workers and reloads). */
  networkKey: string;
}

export interface MeasureOptions {
  /** The first `limit` records of the split; null = all of them. Default 500. */
  limit?: number | null;
  /** Split to measure on; only 'test' for now. */
  split?: 'test';
  batchSize?: number;
}

/** Accuracy of the current network with a recipe applied (to a copy) on a test slice. */
export interface RecipeMeasurement {
  top1: number;
  top5: number;
  loss: number;
  n: number;
  imagesPerSecond: number;
  /** Set when the network has an early-exit head. */
  top1EarlyExit: number | null;
  exitRate: number | null;
  /** Sparsity of each prunable layer after the recipe's pruning (exact, from the weights). */
  layerSparsity: Record<string, number>;
  /** Split the activation quantizers were calibrated on. */
  calibratedOn: SplitName;
  /** ScoreInputs.networkId of the network measured. */
  networkId: number;
  /** ScoreInputs.networkKey of the network measured. */
  networkKey: string;
  /** Records of the test split asked for (null = all). */
  limit: number | null;
  seconds: number;
}

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

/** Channel method: one dependency group's row of the plan (coupled layers move together). */
export interface PlanGroup {
  id: string;
  width: number;
  kept: number;
  /** Removed share of the group's channels. */
  ratio: number;
  capped: boolean;
  override: boolean;
  /** Layers whose output channels these are (conv / depthwise / dense). */
  producers: string[];
  /** Every layer with parameters the group touches, each with its role. */
  layers: { name: string; role: 'out' | 'in' | 'bn' }[];
}

/** Eigenbasis method: one analysed layer's row of the plan. */
export interface PlanLayer {
  name: string;
  kernel: number;
  inChannels: number;
  outChannels: number;
  keptRows: number;
  keptCols: number;
  /** Removed share of the layer's eigen-directions (rows and columns together). */
  ratio: number;
  paramsBefore: number;
  paramsAfter: number;
  factorize: boolean;
  override: boolean;
}

/** A planned prune of the current network (nothing changed yet) and its score before → after. */
export interface PrunePlan {
  method: 'channels' | 'eigenbasis';
  paramsBefore: number;
  paramsAfter: number;
  scoreBefore: number | null;
  scoreAfter: number | null;
  /** Why no score (e.g. the recipe does not fit the network); null when scored. */
  scoreError: string | null;
  groups: PlanGroup[];
  layers: PlanLayer[];
  /** The analysis an eigenbasis plan used. */
  analysisId: number | null;
}

/** Top-1 of a network on the first `n` test images (early exit where it has an exit head). */
export interface SliceAccuracy {
  top1: number;
  top1EarlyExit: number | null;
  n: number;
  /** ScoreInputs.networkKey of the network measured. */
  networkKey: string;
}

export interface PruneOutcome {
  paramsBefore: number;
  paramsAfter: number;
  /** The pruned network, now the current one. */
  network: NetworkInfo;
  seconds: number;
  /** Top-1 on the same test slice before and after the prune; null without a test split. */
  accuracy?: { before: SliceAccuracy; after: SliceAccuracy } | null;
}

/** One finished iteration of a pruning schedule. */
export interface ScheduleIteration {
  iteration: number;
  step: 'prune' | 'grow';
  params: number;
  /** Top-1 on the validation records after fine-tuning. */
  top1: number;
}

export interface ScheduleRequest {
  /** Continue from the last finished iteration kept in the worker. */
  resume: boolean;
  /** Fine-tune epochs per iteration, learning rate and batch size. */
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Validation: the first `validationRecords` test records. */
  validationRecords: number;
  seed: number;
}

export interface ScheduleOutcome {
  status: 'completed' | 'stopped' | 'cancelled';
  history: ScheduleIteration[];
  /** The network now current (null when cancelled: the network is unchanged). */
  network: NetworkInfo | null;
  paramsBefore: number;
  paramsAfter: number;
}

/** What the worker keeps of an unfinished schedule (for "Resume"). */
export interface ScheduleSaved {
  iteration: number;
  iterations: number;
  history: ScheduleIteration[];
}
