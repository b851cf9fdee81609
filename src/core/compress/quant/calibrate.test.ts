// Activation calibration: per-layer EMA (0.9) of the input's mean and unbiased std over the first
// calibrationBatches batches, equal to the same statistics computed by hand from the layer inputs;
// per-layer widths; unused batches are never drawn; no leaks; clear errors.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../graph/ir';
import type { Network } from '../../graph/network';
import { calibrateActivations } from './calibrate';
import { sigmaMaxBinaryPoint, tensorStats } from './sigma-max';
import { randomBatches, randomBnNetwork, tinyGraph } from './nets.test-helpers';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** Hand EMA of (mean, std) of each listed layer's input over the batches. */
function handStats(net: Network, batches: tf.Tensor4D[], layers: string[]) {
  const ema = new Map<string, [number, number]>();
  for (const x of batches) {
    const data = new Map<string, Float32Array>();
    const r = net.forward(x, {
      training: false,
      inputHook: (node: GraphNode, ins: tf.Tensor[]) => {
        if (layers.includes(node.name)) data.set(node.name, ins[0]!.dataSync() as Float32Array);
        return ins;
      },
    });
    r.output.dispose();
    for (const [name, d] of data) {
      const { mean, std } = tensorStats(d);
      const p = ema.get(name);
      ema.set(name, p ? [0.9 * p[0] + 0.1 * mean, 0.9 * p[1] + 0.1 * std] : [mean, std]);
    }
  }
  return ema;
}

function* counting(batches: tf.Tensor4D[], pulled: { n: number }) {
  for (const b of batches) {
    pulled.n++;
    yield b;
  }
}

describe('calibrateActivations', () => {
  it('gives each quantized layer input the EMA statistics and SigmaMax bp (λ 18)', async () => {
    const net = randomBnNetwork(tinyGraph(), 1);
    const batches = randomBatches(4, [4, 8, 8, 3], 2);
    const pulled = { n: 0 };
    const recipe = {
      activationBits: 8,
      layerBits: { fc: { activation: 32 }, conv2: { activation: 12, weight: 4 } },
      calibrationBatches: 3,
    };
    const q = await calibrateActivations({
      graph: net.graph,
      params: net.lookup(),
      batches: counting(batches, pulled),
      recipe,
    });
    expect(pulled.n).toBe(3); // the 4th batch is never drawn
    expect(Object.keys(q)).toEqual(['conv1', 'conv2', 'conv3']);
    const hand = handStats(net, batches.slice(0, 3), ['conv1', 'conv2', 'conv3']);
    for (const [name, [mean, std]] of hand) {
      const got = q[name]!;
      expect(got.bits).toBe(name === 'conv2' ? 12 : 8);
      expect(Math.abs(got.mean - mean)).toBeLessThan(1e-5 * (Math.abs(mean) + std));
      expect(Math.abs(got.std - std)).toBeLessThan(1e-5 * std);
      expect(got.bp).toBe(sigmaMaxBinaryPoint(mean, std, got.bits, 18));
    }
    // The network input (conv1's) is ~N(0, 1) over 3 batches of 768 values: std near 1.
    expect(q.conv1!.std).toBeGreaterThan(0.9);
    expect(q.conv1!.std).toBeLessThan(1.1);
    // activationLambda: a smaller λ gives a larger (or equal) binary point
    const q2 = await calibrateActivations({
      graph: net.graph,
      params: net.lookup(),
      batches,
      recipe: { ...recipe, activationLambda: 2 },
    });
    expect(q2.conv1!.bp).toBeGreaterThan(q.conv1!.bp);
    tf.dispose(batches);
    net.dispose();
  });

  it('needs no batches when nothing is quantized, and fails clearly otherwise', async () => {
    const net = randomBnNetwork(tinyGraph(), 3);
    const pulled = { n: 0 };
    const o = { graph: net.graph, params: net.lookup(), batches: counting([], pulled) };
    expect(await calibrateActivations({ ...o, recipe: { weightBits: 8 } })).toEqual({});
    await expect(calibrateActivations({ ...o, recipe: { activationBits: 8 } })).rejects.toThrow(
      "no batches given, but 4 layer input(s) are quantized (e.g. 'conv1')",
    );
    await expect(
      calibrateActivations({ ...o, recipe: { layerBits: { conv9: { activation: 8 } } } }),
    ).rejects.toThrow("recipe.layerBits names 'conv9', which is not a conv/depthwise/dense layer");
    net.dispose();
  });
});
