/**
 * Adapter: a graph Network (src/core/graph/network.ts) as the trainer's TrainableModel.
 * forwardTrain runs the graph in training mode (batch-statistics BN, random ShakeDrop gates);
 * extra outputs (e.g. an early-exit head's logits) go to the trainer as `extra`; the surrounding
 * gradient tidy frees them.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BnBatchStats } from '../graph/forward';
import type { Network } from '../graph/network';
import type { Rng } from '../util/rng';
import type { BnStats, TrainableModel, TrainForward } from './types';

/** `frozenBatchNorm`: BN uses its running statistics while training (ForwardOptions). */
export function networkModel(net: Network, o: { frozenBatchNorm?: boolean } = {}): TrainableModel {
  return {
    footprint: { graph: net.graph, quantAware: false },
    trainableVariables: () => net.trainableVariables(),
    trainableNames: () => net.trainableNames(),
    forwardTrain(x: tf.Tensor4D, rng: Rng): TrainForward {
      const r = net.forward(x, { training: true, rng, frozenBatchNorm: o.frozenBatchNorm });
      return { logits: r.output, extra: r.extra, bnBatchStats: r.bnBatchStats };
    },
    applyBnUpdates: (stats: ReadonlyMap<string, BnStats>) =>
      net.applyBnUpdates(stats as ReadonlyMap<string, BnBatchStats>),
    predict: (x: tf.Tensor4D) => net.predict(x),
  };
}
