/**
 * A training run's settings, its per-step metrics and its summary: plain data that the worker's
 * train service takes and reports, the store shows and persist keeps for a reload (a run's
 * settings, so that an interrupted run can resume). Types only.
 */
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
  /** Train on the first `limit` training images only; null or absent: all. */
  limit?: number | null;
  /** Stop after this many seconds (wall clock, pauses included); null or absent: no budget. */
  maxSeconds?: number | null;
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
  /** True when the run stopped at its time budget (maxSeconds), not by a cancel. */
  timeBudgetReached?: boolean;
}
