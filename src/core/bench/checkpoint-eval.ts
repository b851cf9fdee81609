/**
 * Evaluation benchmark of a real checkpoint (e.g. the OSI-AI MicroNet .pth) on CIFAR-100 test
 * records, on the active backend: accuracy figures and images/s. Shared by `npm run bench` in
 * Node and the worker's hook in Chromium.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CifarSplit } from '../data/types';
import { Network } from '../graph/network';
import { modelFromCheckpoint } from '../models/model-from-checkpoint';
import { cifarSource } from '../train/cifar-source';
import { evaluateNetwork, type NetworkEvalResult } from '../train/evaluate-network';

export interface CheckpointEvalBench extends NetworkEvalResult {
  model: string;
  backend: string;
  seconds: number;
}

export async function benchCheckpointEval(
  bytes: Uint8Array,
  fileName: string,
  split: CifarSplit,
  batchSize: number,
): Promise<CheckpointEvalBench> {
  const m = await modelFromCheckpoint(bytes, fileName);
  const net = Network.fromWeights(m.graph, m.weights);
  try {
    const t0 = performance.now();
    const r = await evaluateNetwork(net, cifarSource(split, null), { batchSize });
    const seconds = (performance.now() - t0) / 1000;
    return { ...r, model: m.zooName, backend: tf.getBackend(), seconds };
  } finally {
    net.dispose();
  }
}
