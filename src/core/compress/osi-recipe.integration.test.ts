// Integration (wasm backend, real data): recipes applied to the real OSI-AI MicroNet checkpoint
// on the first 300 CIFAR-100 test records. 16-bit fixed point must keep the float accuracy;
// 8-bit weights/activations (BN unfolded, λ 6) must stay well above chance — the unfolded BNs run
// as what the score counts, an 8-bit affine (scale γ/σ, shift) with one exponent per tensor; the
// scales after OSI's depthwise convs span 0.1–100, so this costs most of the accuracy the old
// float running statistics kept (measured 14 % vs 68 % before, 300 images); 50 % extra global magnitude
// sparsity must prune exactly that share of the non-zero weights and lower the score. The
// 1,000-image figures of these recipes are in BENCHMARKS.md (npm run bench -- --only osi-recipe).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildOsiMicronet } from '../models/osi-micronet';
import {
  osiWeights,
  readGoldenU8,
  testRecords,
  trainRecords,
} from '../models/osi-micronet.test-helpers';
import type { Recipe } from '../recipe';
import { cifarSource } from '../train/cifar-source';
import { evaluateRecipe } from './apply-recipe';
import { scoreModel } from './score-model';
import { layerZeroFractions } from './sparsity';

const COUNT = 300;
const EXIT_RATE = 0.2929;

describe('recipes on the OSI-AI MicroNet (wasm, real data)', () => {
  const graph = buildOsiMicronet();
  const weights = osiWeights(graph);
  const source = cifarSource(testRecords(COUNT), null);
  const calibration = cifarSource(trainRecords(1000), null);
  let net: Network;
  const goldenTop1 =
    readGoldenU8('pred_main.u8')
      .subarray(0, COUNT)
      .filter((c, r) => c === r % 100).length / COUNT;

  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    expect(await tf.setBackend('wasm')).toBe(true);
    net = Network.fromWeights(graph, weights);
  });
  afterAll(async () => {
    net.dispose();
    await tf.setBackend('cpu');
  });

  async function run(recipe: Recipe) {
    const before = tf.memory().numTensors;
    const r = await evaluateRecipe(net, recipe, { source, calibration, batchSize: 100 });
    expect(tf.memory().numTensors).toBe(before);
    const s = scoreModel(graph, weights, recipe, { exitRate: EXIT_RATE });
    console.log(
      `[osi recipe] ${JSON.stringify(recipe)}: top-1 ${r.top1} (float ${goldenTop1}), early exit ${r.top1EarlyExit}, score ${s.score.toFixed(6)}`,
    );
    return { r, s };
  }

  it('16-bit weights and activations keep the float accuracy (±2 points)', async () => {
    const { r, s } = await run({ weightBits: 16, activationBits: 16 });
    expect(Math.abs(r.top1 - goldenTop1)).toBeLessThanOrEqual(0.02);
    expect(s.freebie).toBe(true);
  });

  it('8-bit weights and activations with BN unfolded (8-bit affine) and λ 6: above chance', async () => {
    const recipe = {
      weightBits: 8,
      activationBits: 8,
      foldBN: false,
      lambda: 6,
      activationLambda: 6,
    };
    const { r, s } = await run(recipe);
    expect(r.top1).toBeGreaterThan(0.07); // 7× chance; measured 0.143
    expect(s.freebie).toBe(false);
  });

  it('50 % extra sparsity prunes half the non-zero weights and lowers the score', async () => {
    const { r, s } = await run({ sparsity: 0.5 });
    const zeros = layerZeroFractions(graph, weights);
    let size = 0;
    let before = 0;
    let after = 0;
    for (const l of s.layers) {
      if (!(l.name in zeros)) continue;
      const n = weights.get(`${l.name}.weight`)!.data.length;
      size += n;
      before += zeros[l.name]! * n;
      after += r.layerSparsity[l.name]! * n;
      expect(r.layerSparsity[l.name]).toBeCloseTo(l.sparsity, 12);
    }
    const pool = size - before;
    expect(Math.abs(after - before - 0.5 * pool)).toBeLessThanOrEqual(1);
    const asIs = scoreModel(graph, weights, {}, { exitRate: EXIT_RATE });
    expect(s.score).toBeLessThan(asIs.score);
  });
});
