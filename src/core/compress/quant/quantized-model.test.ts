// quantizeNetwork: an all-32 recipe reproduces the float network (BN folded, or unfolded in
// affine form: < 1e-5 on a tiny net and ResNet-20 with random BN statistics); 8-bit weights are integer
// multiples of 2^−bp in range with bp from the (folded) float tensor's own SigmaMax, and the
// activations entering each layer lie on their grid; 16-bit stays close to float; the model fits
// evaluate() and evaluateWithEarlyExit(); no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forward } from '../../graph/forward';
import { affineShift } from '../../graph/affine-batchnorm';
import { inferenceGraph } from '../../graph/inference-graph';
import type { GraphNode } from '../../graph/ir';
import { Network } from '../../graph/network';
import { evaluateWithEarlyExit } from '../../train/early-exit';
import { evaluate } from '../../train/evaluate';
import { syntheticSource } from '../../train/synthetic-source';
import { quantizeNetwork } from './quantized-model';
import { quantizeValues, sigmaMaxBinaryPoint, tensorStats } from './sigma-max';
import {
  randomBatches,
  randomBnNetwork,
  randomBnWeights,
  resnet20Graph,
  tinyGraph,
} from './nets.test-helpers';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** First value that is not k·2^−bp with k an integer in [−2^(bits−1), 2^(bits−1) − 1]. */
function offGrid(data: Float32Array, bits: number, bp: number): number | undefined {
  const half = 2 ** (bits - 1);
  return data.find((v) => {
    const k = v * 2 ** bp;
    return !(Number.isInteger(k) && k >= -half && k <= half - 1);
  });
}

/** RMS(b − a) / RMS(a). */
function relRms(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let e = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    e += (y[i]! - x[i]!) ** 2;
    s += x[i]! ** 2;
  }
  return Math.sqrt(e / s);
}

/** max |a − b| and max |a| of two equally shaped tensors. */
function diff(a: tf.Tensor, b: tf.Tensor): { max: number; scale: number } {
  const x = a.dataSync();
  const y = b.dataSync();
  let max = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    max = Math.max(max, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(x[i]!));
  }
  return { max, scale };
}

describe('quantizeNetwork, nothing quantized', () => {
  it.each([
    ['tiny', tinyGraph],
    ['ResNet-20', resnet20Graph],
  ])('%s: BN folded or affine leaves eval outputs unchanged < 1e-5', async (_, g) => {
    const net = randomBnNetwork(g(), 7);
    const [x] = randomBatches(1, [4, 8, 8, 3], 8);
    const float = net.predict(x!);
    const folded = await quantizeNetwork(net, {}); // no calibration data needed
    const unfolded = await quantizeNetwork(net, { foldBN: false, weightBits: 32 });
    expect(folded.weightQuant).toEqual({});
    expect(folded.activationQuant).toEqual({});
    expect(folded.graph.nodes.some((n) => n.spec.op === 'batchnorm')).toBe(false);
    const yf = folded.predict(x!);
    const yu = unfolded.predict(x!);
    const d = diff(float, yf);
    expect(d.scale).toBeGreaterThan(0.1);
    expect(d.max).toBeLessThan(1e-5);
    expect(diff(float, yu).max).toBeLessThan(1e-5);
    expect(unfolded.graph.nodes.filter((n) => n.spec.op === 'batchnorm').length).toBeGreaterThan(0);
    tf.dispose([x!, float, yf, yu]);
    folded.dispose();
    unfolded.dispose();
    net.dispose();
  });
});

describe('quantizeNetwork, 8 bits', () => {
  it('puts weights and layer inputs on their grids with SigmaMax binary points', async () => {
    const net = randomBnNetwork(resnet20Graph(), 11);
    const batches = randomBatches(3, [4, 8, 8, 3], 12);
    const recipe = {
      weightBits: 8,
      activationBits: 8,
      layerBits: { linear: { weight: 6, activation: 32 } },
      calibrationBatches: 2,
    };
    const q = await quantizeNetwork(net, recipe, batches);
    const float = inferenceGraph(net.graph, net.toWeights()).weights; // folded, unquantized
    const layers = q.graph.nodes.filter((n) => ['conv2d', 'dense'].includes(n.spec.op));
    const params = layers.flatMap((n) => [`${n.name}.weight`, `${n.name}.bias`]);
    expect(Object.keys(q.weightQuant).sort()).toEqual(params.filter((p) => float.has(p)).sort());
    for (const [name, { bits, bp }] of Object.entries(q.weightQuant)) {
      expect(bits).toBe(name.startsWith('linear.') ? 6 : 8);
      const { mean, std } = tensorStats(float.get(name)!.data);
      expect(bp).toBe(sigmaMaxBinaryPoint(mean, std, bits, 10));
      const off = offGrid(q.weights.get(name)!.data, bits, bp);
      expect(off, `${name}: value off the ${bits}-bit grid of bp ${bp}`).toBeUndefined();
    }
    // activations: every layer but 'linear' has a quantizer; observe its output through the hook
    expect(Object.keys(q.activationQuant).sort()).toEqual(
      layers
        .map((n) => n.name)
        .filter((n) => n !== 'linear')
        .sort(),
    );
    const [x] = batches;
    let checked = 0;
    const observe = (node: GraphNode, ins: tf.Tensor[]) => {
      const out = q.inputHook(node, ins);
      const a = q.activationQuant[node.name];
      if (a) {
        const off = offGrid(out[0]!.dataSync() as Float32Array, a.bits, a.bp);
        if (off !== undefined) throw new Error(`${node.name}: ${off} off the grid of bp ${a.bp}`);
        checked++;
      }
      return out;
    };
    const lookup = new Map([...q.weights].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
    const viaHook = forward(q.graph, lookup, x!, { training: false, inputHook: observe }).output;
    const y = q.predict(x!);
    expect(checked).toBe(layers.length - 1);
    expect(Array.from(y.dataSync())).toEqual(Array.from(viaHook.dataSync())); // predict = hook path
    // sanity: RMS of the logit error relative to the logits' RMS (measured 0.10 on this
    // random-BN ResNet-20 at 8/8 bits: λ = 10 / 18 spend few levels at 8 bits)
    const fl = net.predict(x!);
    expect(relRms(fl, y)).toBeLessThan(0.25);
    tf.dispose([...batches, viaHook, y, fl, ...lookup.values()]);
    q.dispose();
    net.dispose();
  });

  it('unfolded BN: its affine scale and shift at weightBits (mean 0, var 1, eps 0)', async () => {
    const net = randomBnNetwork(tinyGraph(), 13);
    const q = await quantizeNetwork(net, {
      foldBN: false,
      weightBits: 9,
      layerBits: { conv1: { weight: 4 } },
    });
    const w = net.toWeights();
    expect(q.weightQuant['bn1.weight']?.bits).toBe(9);
    expect(q.weightQuant['bn1.bias']?.bits).toBe(9);
    expect(q.weightQuant['conv1.weight']?.bits).toBe(4);
    expect(q.weightQuant['bn1.running_mean']).toBeUndefined();
    expect(Array.from(q.weights.get('bn1.running_mean')!.data)).toEqual(new Array(16).fill(0));
    expect(Array.from(q.weights.get('bn1.running_var')!.data)).toEqual(new Array(16).fill(1));
    expect(q.graph.nodes.find((n) => n.name === 'bn1')!.spec).toMatchObject({ eps: 0 });
    // scale γ/sqrt(σ² + ε) on its 9-bit grid, within half a step
    const { bp } = q.weightQuant['bn1.weight']!;
    const [g, v] = [w.get('bn1.weight')!.data, w.get('bn1.running_var')!.data];
    const got = q.weights.get('bn1.weight')!.data;
    expect(offGrid(got, 9, bp)).toBeUndefined();
    got.forEach((s, i) => {
      expect(Math.abs(s - g[i]! / Math.sqrt(v[i]! + 1e-5))).toBeLessThanOrEqual(2 ** -bp / 2);
    });
    // shift from the quantized scale: t_q = q(β − μ·s_q), so s_q·x + t_q ≈ s_q·(x − μ) + β
    const t = q.weightQuant['bn1.bias']!;
    const shift = affineShift(w.get('bn1.bias')!.data, w.get('bn1.running_mean')!.data, got);
    expect(q.weights.get('bn1.bias')!.data).toEqual(quantizeValues(shift, 9, t.bp));
    q.dispose();
    net.dispose();
  });
});

describe('quantizeNetwork, 16 bits and evaluation', () => {
  it('stays close to float at 16 bits and evaluates with evaluate() and early exit', async () => {
    const graph = { ...tinyGraph(), extraOutputs: { exit: 'fc' } };
    const net = Network.fromWeights(graph, randomBnWeights(tinyGraph(), 17));
    const source = syntheticSource({ size: 24, numClasses: 10, imageShape: [8, 8, 3], seed: 3 });
    const q = await quantizeNetwork(
      net,
      { weightBits: 16, activationBits: 16 },
      { source, batchSize: 8 },
    );
    const [x] = randomBatches(1, [4, 8, 8, 3], 18);
    const fl = net.predict(x!);
    const y = q.predict(x!);
    const d = diff(fl, y);
    expect(d.max).toBeLessThan(1e-3 * d.scale); // measured 5e-4
    expect(d.max).toBeGreaterThan(0); // it did quantize
    const plain = await evaluate(q, source, { batchSize: 8 });
    const early = await evaluateWithEarlyExit(q, source, { batchSize: 8 });
    expect(early.top1).toBe(plain.top1);
    expect(early.loss).toBeCloseTo(plain.loss, 5);
    await expect(quantizeNetwork(net, { activationBits: 8 })).rejects.toThrow(
      "activations are quantized (e.g. the input of 'conv1') but no calibration",
    );
    tf.dispose([x!, fl, y]);
    q.dispose();
    net.dispose();
  });
});
