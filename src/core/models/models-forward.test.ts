// Smoke test: every builder's graph runs forward (train + eval) and backward at a small input size.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { makeRng } from '../util/rng';
import { buildPyramidNet } from './pyramidnet';
import { buildCifarResNet } from './resnet';

const GRAPHS = [
  () => buildCifarResNet({ depth: 8, inputSize: 8 }),
  () => buildCifarResNet({ depth: 8, inputSize: 8, shortcut: 'B' }),
  () => buildPyramidNet({ depth: 11, alpha: 12, bottleneck: true, inputSize: 8 }),
];

describe.each(GRAPHS.map((g) => [g().name, g] as const))('%s', (_, build) => {
  it('forward train/eval + finite gradients, no leaks', () => {
    const before = tf.memory().numTensors;
    const net = Network.fromInit(build(), 1);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const logits = net.predict(x);
    expect(logits.shape).toEqual([2, 100]);
    const { value, grads } = tf.variableGrads(() => {
      const r = net.forward(x, { training: true, rng: makeRng(3) });
      return tf.mean(tf.square(r.output)) as tf.Scalar;
    }, net.trainableVariables());
    const all = Object.values(grads);
    expect(all).toHaveLength(net.trainableVariables().length);
    expect(all.every((g) => g.dataSync().every(Number.isFinite))).toBe(true);
    expect(grads[net.trainableVariables()[0]!.name]!.dataSync().some((v) => v !== 0)).toBe(true);
    tf.dispose([x, logits, value, ...all]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
