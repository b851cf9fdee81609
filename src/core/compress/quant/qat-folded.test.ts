// QAT with frozen, folded batch norms: the forward is the network quantizeNetwork deploys (BN
// folded into its conv, quantized at the conv's bits), in training and eval alike; gradients
// reach W, γ and β through the fold; running statistics never change.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Recipe } from '../../recipe';
import { softmaxCrossEntropy } from '../../train/loss';
import { syntheticSource } from '../../train/synthetic-source';
import { train } from '../../train/trainer';
import { makeRng } from '../../util/rng';
import { qatModel } from './qat';
import { quantizeNetwork } from './quantized-model';
import { randomBatches, randomBnNetwork, tinyGraph } from './nets.test-helpers';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

const maxAbs = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

const RECIPES: [string, Recipe][] = [
  [
    'per channel, MSE',
    { weightBits: 5, activationBits: 8, weightGranularity: 'channel', quantMethod: 'mse' },
  ],
  ['per tensor, SigmaMax', { weightBits: 6, activationBits: 8 }],
];

describe('qatModel with freezeBatchNorm', () => {
  it.each(RECIPES)(
    '%s: eval and training forwards equal the deployed network',
    async (_, recipe) => {
      const net = randomBnNetwork(tinyGraph(), 31);
      const batches = randomBatches(2, [4, 8, 8, 3], 32);
      const q = await quantizeNetwork(net, recipe, batches);
      const model = qatModel(net, recipe, q.activationQuant, { freezeBatchNorm: true });
      const deployed = q.predict(batches[0]!);
      const evalOut = model.predict(batches[0]!);
      const train = model.forwardTrain(batches[0]!, makeRng(1));
      const float = net.predict(batches[0]!);
      const scale = tf.tidy(() => tf.max(tf.abs(deployed)).dataSync()[0]!);
      // The fold is float64 on the CPU for deployment and float32 here: a rare rounding flip.
      expect(maxAbs(evalOut, deployed)).toBeLessThan(1e-3 * scale);
      expect(maxAbs(train.logits, evalOut)).toBe(0);
      expect(train.bnBatchStats?.size ?? 0).toBe(0);
      expect(maxAbs(float, deployed)).toBeGreaterThan(1e-3 * scale); // quantization is visible
      const extra = Object.values(train.extra ?? {});
      tf.dispose([...batches, deployed, evalOut, train.logits, float, ...extra]);
      q.dispose();
      net.dispose();
    },
  );

  it('without freezing, QAT does not see the folded quantization (the gap this closes)', async () => {
    const recipe = RECIPES[0]![1];
    const net = randomBnNetwork(tinyGraph(), 33);
    const batches = randomBatches(1, [4, 8, 8, 3], 34);
    const q = await quantizeNetwork(net, recipe, batches);
    const frozen = qatModel(net, recipe, q.activationQuant, { freezeBatchNorm: true });
    const plain = qatModel(net, recipe, q.activationQuant);
    const deployed = q.predict(batches[0]!);
    const a = frozen.predict(batches[0]!);
    const b = plain.predict(batches[0]!);
    expect(maxAbs(a, deployed)).toBeLessThan(maxAbs(b, deployed));
    tf.dispose([...batches, deployed, a, b]);
    q.dispose();
    net.dispose();
  });

  it('one step: gradients reach every variable, running statistics stay', async () => {
    const recipe = RECIPES[0]![1];
    const net = randomBnNetwork(tinyGraph(), 35);
    const batches = randomBatches(1, [8, 8, 8, 3], 36);
    const q = await quantizeNetwork(net, recipe, batches);
    const model = qatModel(net, recipe, q.activationQuant, { freezeBatchNorm: true });
    q.dispose();
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const { value, grads } = tf.variableGrads(
      () => softmaxCrossEntropy(model.forwardTrain(batches[0]!, makeRng(1)).logits, y),
      model.trainableVariables(),
    );
    for (const [name, g] of Object.entries(grads)) {
      const d = g.dataSync();
      expect(d.every(Number.isFinite), name).toBe(true);
      expect(
        d.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads), ...batches, y]);

    const stats = (k: string) => k.endsWith('running_mean') || k.endsWith('running_var');
    const w0 = net.toWeights();
    await train({
      model,
      source: syntheticSource({ size: 16, numClasses: 10, imageShape: [8, 8, 3], seed: 5 }),
      epochs: 1,
      batchSize: 8,
      schedule: { kind: 'constant', lr: 0.1 },
      seed: 1,
      augment: false,
      maxSteps: 1,
    });
    const w1 = net.toWeights();
    let statNames = 0;
    for (const [k, v] of w0) {
      const same = v.data.every((x, i) => x === w1.get(k)!.data[i]);
      if (stats(k)) statNames++;
      expect(same, k).toBe(stats(k)); // statistics frozen, every trained tensor moved
    }
    expect(statNames).toBeGreaterThan(0);
    net.dispose();
  });
});
