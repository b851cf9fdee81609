import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../../graph/network';
import { buildTinyNet } from '../../models/tiny';
import type { Recipe } from '../../recipe';
import { TrainControl } from '../../train/control';
import { syntheticSource } from '../../train/synthetic-source';
import { gradualPrune, type GradualPruneProgress } from './gradual-prune';
import { applyMasks, layerZeroFractions, magnitudeMasks, maskSparsity } from './magnitude-masks';

const graph = buildTinyNet({ inputSize: 8, numClasses: 3 });
const SIZES: Record<string, number> = { conv1: 432, conv2: 4608, conv3: 18432, fc: 192 };
const TOTAL = 432 + 4608 + 18432 + 192;
const source = syntheticSource({ size: 32, numClasses: 3, seed: 3 });
const fineTune = { epochs: 1, batchSize: 8, learningRate: 0.01 };

async function run(net: Network, recipe: Recipe, extra: { control?: TrainControl } = {}) {
  const events: GradualPruneProgress[] = [];
  const res = await gradualPrune({
    net,
    source,
    recipe,
    seed: 5,
    maxFineTuneSteps: 2,
    onProgress: (p) => events.push(p),
    ...extra,
  });
  return { res, events };
}

/** Zeros per layer in the net now, and whether every masked entry is zero. */
function inspect(net: Network, masks: Map<string, Uint8Array>) {
  const weights = net.toWeights();
  const zeros = layerZeroFractions(graph, weights);
  let maskedNonZero = 0;
  for (const [l, m] of masks) {
    const w = weights.get(`${l}.weight`)!.data;
    m.forEach((k, i) => (maskedNonZero += k === 0 && w[i] !== 0 ? 1 : 0));
  }
  return { zeros, maskedNonZero };
}

describe('gradualPrune', () => {
  it('reaches the target in AGP steps with masked fine-tuning, without tensor growth', async () => {
    const net = Network.fromInit(graph, 1);
    const start = tf.memory().numTensors;
    const recipe: Recipe = {
      sparsity: 0.5,
      fineTune: { ...fineTune, pruneSteps: 2, pruneSchedule: 'agp' },
    };
    const { res, events } = await run(net, recipe);
    expect(res.status).toBe('completed');
    expect(res.steps).toBe(2);
    const prunes = events.filter((e) => e.phase === 'prune');
    expect(prunes.map((e) => e.sparsity)).toEqual([
      Math.round(0.4375 * TOTAL) / TOTAL, // AGP: 0.5 · (1 − 1/8)
      Math.round(0.5 * TOTAL) / TOTAL,
    ]);
    const tunes = events.filter((e) => e.phase === 'fine-tune');
    expect(tunes.length).toBe(2);
    expect(tunes.every((e) => e.metrics !== undefined && e.metrics.step === 2)).toBe(true);
    const { zeros, maskedNonZero } = inspect(net, res.masks);
    expect(maskedNonZero).toBe(0);
    expect(zeros).toEqual(res.layerSparsity);
    expect(res.layerSparsity).toEqual(maskSparsity(res.masks));
    const nZeros = Object.entries(zeros).reduce((a, [l, f]) => a + f * SIZES[l]!, 0);
    expect(Math.round(nZeros)).toBe(Math.round(0.5 * TOTAL));
    expect(tf.memory().numTensors).toBe(start);
    net.dispose();
  });

  it('counts global sparsity from the starting zeros and follows per-layer targets', async () => {
    const init = Network.fromInit(graph, 2);
    const w0 = init.toWeights();
    init.dispose();
    // start with 20 % of conv weights already zero (the fc layer gets its own target)
    const pre = applyMasks(
      w0,
      magnitudeMasks(graph, w0, { sparsity: 0.2, layerSparsity: { fc: 0 } }),
    );
    const net = Network.fromWeights(graph, pre);
    const zeros0 = layerZeroFractions(graph, pre);
    const recipe: Recipe = {
      sparsity: 0.51,
      layerSparsity: { fc: 0.75 },
      fineTune: { ...fineTune, pruneSteps: 2 }, // seed schedule: 30 % of the remaining, twice
    };
    const { res, events } = await run(net, recipe);
    const convs = ['conv1', 'conv2', 'conv3'];
    const convN = convs.reduce((a, l) => a + SIZES[l]!, 0);
    const zerosStart = Math.round(convs.reduce((a, l) => a + zeros0[l]! * SIZES[l]!, 0));
    const pool0 = convN - zerosStart;
    const zerosEnd = Math.round(convs.reduce((a, l) => a + res.layerSparsity[l]! * SIZES[l]!, 0));
    expect(zerosEnd - zerosStart).toBe(Math.round(0.51 * pool0));
    expect(res.layerSparsity.fc).toBe(Math.round(0.75 * 192) / 192);
    // step 1 of the seed schedule: convs lose 30 % of the pool, fc goes to 1 − √(1 − 0.75) = 0.5
    const step1 = events.find((e) => e.phase === 'prune')!;
    const fc1 = Math.round(0.5 * 192);
    const conv1 = zerosStart + Math.round(0.3 * pool0);
    expect(step1.sparsity).toBeCloseTo((fc1 + conv1) / TOTAL, 12);
    expect(inspect(net, res.masks).maskedNonZero).toBe(0);
    net.dispose();
  });

  it('prunes without fine-tuning when fineTune.epochs is 0', async () => {
    const net = Network.fromInit(graph, 3);
    const w0 = net.toWeights();
    const { res, events } = await run(net, {
      sparsity: 0.3,
      fineTune: { epochs: 0, pruneSteps: 3 },
    });
    expect(events.map((e) => e.phase)).toEqual(['prune', 'prune', 'prune']);
    // no training in between: the same as one-shot pruning of the starting weights
    expect(res.masks).toEqual(magnitudeMasks(graph, w0, { sparsity: 0.3 }));
    net.dispose();
  });

  it('stops on cancel during fine-tuning and before a prune step', async () => {
    const net = Network.fromInit(graph, 4);
    const start = tf.memory().numTensors;
    const control = new TrainControl();
    const events: GradualPruneProgress[] = [];
    const res = await gradualPrune({
      net,
      source,
      recipe: { sparsity: 0.5, fineTune: { ...fineTune, pruneSteps: 3 } },
      seed: 1,
      control,
      onProgress: (p) => {
        events.push(p);
        if (p.phase === 'fine-tune') control.cancel();
      },
    });
    expect(res).toMatchObject({ status: 'cancelled', steps: 1 });
    expect(events.filter((e) => e.phase === 'prune').length).toBe(1);
    expect(inspect(net, res.masks).maskedNonZero).toBe(0);
    expect(tf.memory().numTensors).toBe(start);
    const again = await gradualPrune({ net, source, recipe: { sparsity: 0.5 }, seed: 1, control });
    expect(again).toMatchObject({ status: 'cancelled', steps: 0 });
    net.dispose();
  });

  it('fails fast on unknown layers', async () => {
    const net = Network.fromInit(graph, 1);
    await expect(run(net, { layerSparsity: { conv9: 0.5 } })).rejects.toThrow(/'conv9'/);
    net.dispose();
  });
});
