/**
 * The Score panel's side of the contract (score-service.ts): the inputs it scores recipes with on
 * the main thread, and a recipe's measured accuracy on a test slice.
 */
import type { MagnitudeProfile } from '../core/compress/sparsity/index';
import type { Graph } from '../core/graph/ir';
import type { SplitName } from './data';
import type { NetworkInfo } from './network';

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
