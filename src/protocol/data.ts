/**
 * The CIFAR-100 dataset across the thread boundary: split summaries, sample images for the grid,
 * the IndexedDB cache's size (persist/dataset-cache.ts) and the result of a load.
 */

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
