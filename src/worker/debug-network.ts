/**
 * Debug hook for benchmarks: makes a zoo network (optionally in the synthetic factorized form,
 * core/models/synthetic-factorize.ts) with seeded initial weights the worker's current network,
 * without training or evaluating it — e.g. PyramidNet-272 α200 factorized (816 layers) for the
 * Score panel's drag benchmark (bench/browser-score-drag.ts). Reached in Chromium through
 * `window.__lab.debugUseNetwork`.
 */
import { Network } from '../core/graph/network';
import { factorize } from '../core/models/synthetic-factorize';
import { buildFromZooName } from '../core/models/zoo';
import type { CurrentNetwork } from './current-network';
import type { NetworkInfo } from './lab-types';

export interface DebugNetworkRequest {
  /** A zoo name, e.g. "pyramidnet-bottleneck-272-a200". */
  zooName: string;
  /** Replace each conv / fc by the synthetic 1×1 → k×k → 1×1 (fc → fc → fc) triple. */
  factorized?: boolean;
  /** Seed of the initial weights (default 1). */
  seed?: number;
}

/** Builds the requested network and makes it current (disposing the previous one). */
export function debugUseNetwork(current: CurrentNetwork, r: DebugNetworkRequest): NetworkInfo {
  const seed = r.seed ?? 1;
  if (!Number.isInteger(seed))
    throw new Error(`debugUseNetwork: seed must be an integer, got ${seed}`);
  const plain = buildFromZooName(r.zooName);
  const graph = r.factorized ? factorize(plain) : plain;
  current.replace(Network.fromInit(graph, seed), 'initialised');
  const info = current.info();
  if (!info) throw new Error('debugUseNetwork: no current network after replace');
  return info;
}
