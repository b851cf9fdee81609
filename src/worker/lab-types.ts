/**
 * Plain data that crosses the main-thread ↔ worker boundary (structured clone; big arrays are
 * transferred). No tfjs imports here: the main thread imports these types only.
 */

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

export interface AugmentConfig {
  cropFlip: boolean;
  cutout: boolean;
  autoAugment: boolean;
}

export interface TrainConfig {
  model: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  augment: AugmentConfig;
  seed: number;
}

/** One training step's metrics. */
export interface MetricPoint {
  step: number;
  epoch: number;
  loss: number;
  /** Training-batch top-1 accuracy, 0–1. */
  accuracy: number;
  learningRate: number;
}

export interface TrainSummary {
  steps: number;
  epochs: number;
  cancelled: boolean;
  finalLoss: number | null;
  finalAccuracy: number | null;
  seconds: number;
}

export interface EvalConfig {
  batchSize: number;
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
}

/** Thrown across the boundary as an Error whose name is 'AbortError' when a job is cancelled. */
export const ABORT_ERROR_NAME = 'AbortError';
