// Structured prune steps on zoo graphs: parameters really go, the graph still runs, ratios and
// coupled-layer overrides behave as the recipe says.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, initWeights } from '../../graph/params';
import { Network } from '../../graph/network';
import { buildTinyNet } from '../../models/tiny';
import { buildFromZooName } from '../../models/zoo';
import { syntheticSource } from '../../train/synthetic-source';
import { validateRecipe } from '../../recipe';
import { kfacAnalysis } from '../../analysis/kfac';
import { chainDims, eigenLayerNames } from '../structure';
import { channelPlan } from './channel-plan';
import { pruneNetwork } from './prune-network';

function runs(
  graph: Parameters<typeof Network.fromWeights>[0],
  weights: Parameters<typeof Network.fromWeights>[1],
  size = 32,
): number[] {
  const net = Network.fromWeights(graph, weights);
  const x = tf.randomNormal([2, size, size, 3]) as tf.Tensor4D;
  const y = net.predict(x);
  const shape = y.shape;
  expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
  tf.dispose([x, y]);
  net.dispose();
  return shape;
}

describe('channel pruning step', () => {
  const graph = buildFromZooName('pyramidnet-bottleneck-20-a48');
  const weights = initWeights(graph, 3);

  it('removes about the asked share of prunable channels and the network still runs', async () => {
    const before = tf.memory().numTensors;
    const r = await pruneNetwork({ graph, weights, spec: { method: 'channels', ratio: 0.3 } });
    const width = r.groups!.reduce((a, g) => a + g.width, 0);
    const removed = r.groups!.reduce((a, g) => a + (g.width - g.kept), 0);
    expect(removed / width).toBeGreaterThan(0.2);
    expect(removed / width).toBeLessThanOrEqual(0.3 + 1e-9);
    expect(r.paramsAfter).toBe(countParams(r.graph));
    expect(r.paramsAfter).toBeLessThan(r.paramsBefore);
    expect(runs(r.graph, r.weights)).toEqual([2, 100]);
    for (const g of r.groups!) expect(g.kept).toBeGreaterThanOrEqual(Math.ceil(g.width / 2));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a layer ratio moves its whole coupled group; conflicting coupled ratios are refused', () => {
    const plan = channelPlan(graph, weights, {
      method: 'channels',
      ratio: 0,
      layerRatios: { 'layer1.0.conv1': 0.5 },
    });
    const hit = plan.groups.filter((g) => g.kept < g.width);
    expect(hit).toHaveLength(1);
    expect(hit[0]!.layers).toContain('layer1.0.conv1');
    expect(hit[0]!.override).toBe(true);
    expect(hit[0]!.kept).toBe(hit[0]!.width - Math.round(0.5 * hit[0]!.width));
    const [a, b] = hit[0]!.layers;
    if (b !== undefined) {
      expect(() =>
        channelPlan(graph, weights, {
          method: 'channels',
          ratio: 0,
          layerRatios: { [a!]: 0.5, [b]: 0.25 },
        }),
      ).toThrow(/coupled/);
    }
    expect(() =>
      channelPlan(graph, weights, { method: 'channels', ratio: 0, layerRatios: { nope: 0.1 } }),
    ).toThrow("prune.layerRatios names 'nope', which is no layer or channel group");
  });

  it('the recipe schema names a bad prune field', () => {
    expect(() => validateRecipe({ prune: { method: 'rows', ratio: 0.2 } })).toThrow(
      "recipe.prune.method must be 'channels' or 'eigenbasis', got \"rows\"",
    );
    expect(() => validateRecipe({ prune: { method: 'channels', ratio: 1.5 } })).toThrow(
      'recipe.prune.ratio must be a number in [0, 1), got 1.5',
    );
  });
});

describe('eigenbasis pruning step', () => {
  it('factorizes the layers it shrinks; the network runs with the predicted parameter count', async () => {
    const graph = buildTinyNet({ inputSize: 8, numClasses: 10 });
    const weights = initWeights(graph, 5);
    const source = syntheticSource({ size: 64, numClasses: 10, seed: 2 });
    const before = tf.memory().numTensors;
    const r = await pruneNetwork({
      graph,
      weights,
      spec: { method: 'eigenbasis', ratio: 0.6, analysisBatches: 2 },
      source,
      batchSize: 16,
    });
    const factorized = r.layers!.filter((l) => l.factorize);
    expect(factorized.length).toBeGreaterThan(0);
    for (const l of factorized) {
      expect(chainDims(r.graph, l.name)).toMatchObject({ form: l.form, params: l.paramsAfter });
      expect(l.paramsAfter).toBeLessThan(l.paramsBefore);
    }
    const saved = factorized.reduce((a, l) => a + l.paramsBefore - l.paramsAfter, 0);
    expect(r.paramsBefore - r.paramsAfter).toBe(saved);
    expect(r.paramsAfter).toBe(countParams(r.graph));
    expect(runs(r.graph, r.weights, 8)).toEqual([2, 10]);

    // Pruned again from an analysis of every conv / dense node (what the lab's worker runs): the
    // plan keeps one row per layer (its main node), and factorized layers shrink through it.
    const net = Network.fromWeights(r.graph, r.weights);
    const all = await kfacAnalysis({
      net,
      source,
      batches: 1,
      batchSize: 16,
      seed: 3,
      useBias: false,
    });
    net.dispose();
    expect(all.layers.some((l) => l.name.endsWith('.basis_in') || l.name.endsWith('.core'))).toBe(
      true,
    );
    const again = await pruneNetwork({
      graph: r.graph,
      weights: r.weights,
      spec: { method: 'eigenbasis', ratio: 0.6 },
      kfac: all.layers,
    });
    expect(again.layers!.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    expect(again.layers!.map((l) => l.main)).toEqual(eigenLayerNames(r.graph));
    expect(again.paramsAfter).toBeLessThan(again.paramsBefore);
    expect(again.paramsAfter).toBe(countParams(again.graph));
    expect(runs(again.graph, again.weights, 8)).toEqual([2, 10]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
