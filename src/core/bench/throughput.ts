/**
 * Training and evaluation throughput of a network on the active tfjs backend, on synthetic
 * CIFAR-shaped data (speed does not depend on pixel values). Shared by `npm run bench` in Node
 * and the worker's benchmark in Chromium, so every backend is measured the same way.
 * Each timed training step is followed by a metrics download, so asynchronous backends (WebGPU,
 * WebGL) are timed to completion, not to command submission.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../graph/ir';
import { Network } from '../graph/network';
import { evaluate } from '../train/evaluate';
import { syntheticSource } from '../train/synthetic-source';
import { train } from '../train/trainer';

export interface ThroughputOptions {
  graph: Graph;
  batchSize: number;
  /** Timed training steps (after `warmupSteps` untimed ones). */
  trainSteps: number;
  warmupSteps?: number;
  /** Timed evaluation batches (after one untimed). */
  evalBatches: number;
  seed?: number;
}

export interface ThroughputResult {
  model: string;
  backend: string;
  batchSize: number;
  /** Median wall time of one training step (forward, backward, SGD update), ms. */
  trainStepMs: number;
  trainImagesPerSecond: number;
  evalImagesPerSecond: number;
  /** Tensors alive after the run minus before (0 = no leak). */
  tensorGrowth: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timeTrainSteps(
  net: Network,
  o: ThroughputOptions,
  steps: number,
): Promise<number[]> {
  const source = syntheticSource({
    size: o.batchSize * Math.max(steps, 1),
    numClasses: o.graph.numClasses,
    imageShape: [32, 32, 3],
    seed: o.seed ?? 0,
  });
  const stamps: number[] = [];
  let last = performance.now();
  await train({
    model: net,
    source,
    epochs: 1,
    batchSize: o.batchSize,
    schedule: { kind: 'constant', lr: 0.01 },
    sgd: { momentum: 0.9 },
    seed: o.seed ?? 0,
    augment: false,
    metricsEvery: 1,
    maxSteps: steps,
    onMetrics: () => {
      const now = performance.now();
      stamps.push(now - last);
      last = now;
    },
  });
  return stamps.slice(0, steps);
}

async function measure(
  net: Network,
  o: ThroughputOptions,
): Promise<Omit<ThroughputResult, 'tensorGrowth'>> {
  await timeTrainSteps(net, o, o.warmupSteps ?? 1);
  const stepMs = median(await timeTrainSteps(net, o, o.trainSteps));
  const n = o.batchSize * (o.evalBatches + 1);
  const evalSource = syntheticSource({
    size: n,
    numClasses: o.graph.numClasses,
    imageShape: [32, 32, 3],
  });
  // One untimed batch first (kernel compilation on WebGPU / WebGL), then the timed ones.
  await evaluate(net, evalSource, { batchSize: o.batchSize, indices: range(0, o.batchSize) });
  const t0 = performance.now();
  await evaluate(net, evalSource, { batchSize: o.batchSize, indices: range(o.batchSize, n) });
  const evalSeconds = (performance.now() - t0) / 1000;
  return {
    model: o.graph.name,
    backend: tf.getBackend(),
    batchSize: o.batchSize,
    trainStepMs: stepMs,
    trainImagesPerSecond: (o.batchSize * 1000) / stepMs,
    evalImagesPerSecond: (n - o.batchSize) / evalSeconds,
  };
}

export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const before = tf.memory().numTensors;
  const net = Network.fromInit(o.graph, o.seed ?? 0);
  let result: Omit<ThroughputResult, 'tensorGrowth'>;
  try {
    result = await measure(net, o);
  } finally {
    net.dispose();
  }
  return { ...result, tensorGrowth: tf.memory().numTensors - before };
}

function range(from: number, to: number): Uint32Array {
  return Uint32Array.from({ length: to - from }, (_, i) => from + i);
}
