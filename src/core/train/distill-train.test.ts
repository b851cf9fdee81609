// Training with a teacher and an early-exit head (TrainOptions.distill / extraLossWeights): the
// exit head's parameters get gradients only when its loss is in; distilling lowers the
// distillation loss; bad keys are named; no tensor outlives train().
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../graph/ir';
import { Network } from '../graph/network';
import { buildTinyNet } from '../models/tiny';
import { distillationLoss } from './distillation';
import { networkModel } from './network-model';
import { syntheticSource } from './synthetic-source';
import { train, type TrainMetrics, type TrainOptions } from './trainer';
import type { DistillOptions } from './types';

/** Tiny CNN on 8×8 inputs plus an exit head (global mean of relu1 → dense) as extra 'exit'. */
function exitGraph(): Graph {
  const g = buildTinyNet({ numClasses: 4, inputSize: 8 });
  return {
    ...g,
    nodes: [
      ...g.nodes,
      { name: 'exit_pool', inputs: ['relu1'], spec: { op: 'globalavgpool', keepDims: false } },
      {
        name: 'exit_fc',
        inputs: ['exit_pool'],
        spec: { op: 'dense', inFeatures: 16, outFeatures: 4, bias: true },
      },
    ],
    extraOutputs: { exit: 'exit_fc' },
  };
}

const source = syntheticSource({ size: 32, numClasses: 4, imageShape: [8, 8, 3], seed: 3 });

function options(net: Network, extra: Partial<TrainOptions>): TrainOptions {
  return {
    model: networkModel(net),
    source,
    epochs: 1,
    batchSize: 8,
    schedule: { kind: 'constant', lr: 0.05 },
    sgd: { momentum: 0, weightDecay: 0 },
    seed: 1,
    augment: false,
    ...extra,
  };
}

/** The net's eval outputs × 8: sharper than a random init, so there is something to learn. */
function teacherOf(net: Network, temperature: number, weight: number): DistillOptions {
  return {
    teacher: (x) => {
      const r = net.forward(x, { training: false });
      return { logits: tf.mul(r.output, 8), extra: { exit: tf.mul(r.extra.exit!, 8) } };
    },
    temperature,
    weight,
  };
}

/** Distillation loss (main head) of `student` against `teacher` on the first 16 examples. */
function kdLoss(student: Network, teacher: DistillOptions, T: number): number {
  const idx = Array.from({ length: 16 }, (_, i) => i);
  const b = source.batch(idx, false, () => 0.5);
  return tf.tidy(() => {
    const x = tf.tensor4d(b.x, [16, 8, 8, 3]);
    const y = tf.tensor1d(b.y, 'int32');
    const s = student.predict(x) as tf.Tensor2D;
    const t = teacher.teacher(x).logits as tf.Tensor2D;
    return distillationLoss(s, t, y, T, 1).dataSync()[0]!;
  });
}

const changed = (a: Network, b: Map<string, Float32Array>, name: string) =>
  a
    .toWeights()
    .get(name)!
    .data.some((v, i) => v !== b.get(name)![i]);

function snapshot(net: Network): Map<string, Float32Array> {
  return new Map([...net.toWeights()].map(([k, t]) => [k, t.data.slice()]));
}

describe('train with an exit head and a teacher', () => {
  it('the exit head gets gradients only with extraLossWeights.exit', async () => {
    for (const weights of [undefined, { exit: 1 }]) {
      const net = Network.fromInit(exitGraph(), 5);
      const before = tf.memory().numTensors;
      const w0 = snapshot(net);
      const res = await train(options(net, { maxSteps: 2, extraLossWeights: weights }));
      expect(res.status).toBe('completed');
      expect(tf.memory().numTensors).toBe(before);
      for (const name of ['exit_fc.weight', 'exit_fc.bias'])
        expect(changed(net, w0, name), `${name} with ${JSON.stringify(weights)}`).toBe(!!weights);
      expect(changed(net, w0, 'fc.weight')).toBe(true);
      net.dispose();
    }
  });

  it('distilling (main and exit head) lowers the distillation loss, without leaking', async () => {
    const student = Network.fromInit(exitGraph(), 6);
    const teacherNet = Network.fromInit(exitGraph(), 7);
    const teacher = teacherOf(teacherNet, 2, 1);
    const before = tf.memory().numTensors;
    const loss0 = kdLoss(student, teacher, 2);
    const metrics: TrainMetrics[] = [];
    const w0 = snapshot(student);
    const res = await train(
      options(student, {
        epochs: 3,
        distill: teacher,
        extraLossWeights: { exit: 0.5 },
        metricsEvery: 4,
        onMetrics: (m) => metrics.push(m),
      }),
    );
    expect(res.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    expect(kdLoss(student, teacher, 2)).toBeLessThan(loss0 * 0.8);
    expect(changed(student, w0, 'exit_fc.weight')).toBe(true);
    // Metrics report the main head's distillation loss (w = 1: no label term).
    expect(metrics.at(-1)!.loss).toBeLessThan(metrics[0]!.loss);
    student.dispose();
    teacherNet.dispose();
  });

  it('names an extra output the model does not have, and bad settings', async () => {
    const net = Network.fromInit(exitGraph(), 8);
    const before = tf.memory().numTensors;
    await expect(train(options(net, { extraLossWeights: { exti: 1 } }))).rejects.toThrow(
      "extraLossWeights names 'exti', but the model's training forward has no such extra output (has: exit)",
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(train(options(net, { extraLossWeights: { exit: -1 } }))).rejects.toThrow(
      "extraLossWeights['exit'] must be a finite number ≥ 0, got -1",
    );
    const bad = { ...teacherOf(net, 0, 0.5) };
    await expect(train(options(net, { distill: bad }))).rejects.toThrow(
      'distill.temperature must be a finite number > 0, got 0',
    );
    net.dispose();
  });
});
