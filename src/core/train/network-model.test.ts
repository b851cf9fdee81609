// The trainer on a real graph Network (models/tiny.ts) through the adapter.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildTinyNet } from '../models/tiny';
import { evaluate } from './evaluate';
import { networkModel } from './network-model';
import { syntheticSource } from './synthetic-source';
import { train } from './trainer';

describe('networkModel', () => {
  it('trains a graph Network without leaking and updates BN buffers', async () => {
    const net = Network.fromInit(buildTinyNet({ numClasses: 3, inputSize: 8 }), 1);
    const model = networkModel(net);
    const source = syntheticSource({ size: 32, numClasses: 3, seed: 2 });
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const w0 = Array.from(net.getTensor('fc.weight').dataSync());
    const res = await train({
      model,
      source,
      epochs: 2,
      batchSize: 8,
      schedule: { kind: 'constant', lr: 0.05 },
      sgd: { momentum: 0.9, weightDecay: 5e-4 },
      seed: 3,
      metricsEvery: 1,
      onMetrics: () => counts.push(tf.memory().numTensors),
    });
    expect(res).toMatchObject({ status: 'completed', steps: 8 });
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(net.getTensor('fc.weight').dataSync())).not.toEqual(w0);
    const bnMean = Array.from(
      net
        .getTensor(net.graph.nodes.find((n) => n.spec.op === 'batchnorm')!.name + '.running_mean')
        .dataSync(),
    );
    expect(bnMean.some((v) => v !== 0)).toBe(true);
    const ev = await evaluate(model, source, { batchSize: 16 });
    expect(ev.n).toBe(32);
    net.dispose();
  });
});
