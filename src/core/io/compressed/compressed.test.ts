// The compressed checkpoint end to end on small synthetic networks (random BN statistics):
// compressNetwork → compressedData → writeCompressed → readCompressed gives bit-identical weights
// (up to the sign of zero), the same quantizers and masks, and a network with identical logits;
// the file's payload is the score's counted storage to within one padding byte per stored
// segment (quantization scales aside), and the whole file within 1 % + 4096 bytes of
// params32·4, for several recipes; no tensors leak.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compressedData,
  compressedNetwork,
  scoreCompressed,
} from '../../compress/compressed-model';
import {
  randomBatches,
  randomBnNetwork,
  resnet20Graph,
  tinyGraph,
} from '../../compress/quant/nets.test-helpers';
import { scoreModel } from '../../compress/score-model';
import type { Network } from '../../graph/network';
import type { Recipe } from '../../recipe';
import { compressWith } from './compressed.test-helpers';
import { readCompressed, writeCompressed } from './index';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** Values equal as float32, treating −0 and +0 alike (int codes do not keep the sign of 0). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function exportAndRead(net: Network, recipe: Recipe) {
  const c = await compressWith(net, recipe);
  const data = compressedData(c, { calibrationBatches: 2, ...recipe }, { note: 'test' });
  const bytes = writeCompressed(data);
  return { c, data, bytes, back: readCompressed(bytes, 'test.mnlc') };
}

describe('compressed checkpoint round trip', () => {
  it('per-channel exponents and activation zero points: version 2, same weights and logits', async () => {
    const net = randomBnNetwork(tinyGraph(), 4);
    const recipe: Recipe = {
      weightBits: 5,
      activationBits: 8,
      sparsity: 0.3,
      weightGranularity: 'channel',
      quantMethod: 'mse',
      activationZeroPoint: true,
    };
    const { c, data, bytes, back } = await exportAndRead(net, recipe);
    expect(new DataView(bytes.buffer).getUint16(4, true)).toBe(2);
    expect(back.weightQuant).toEqual(data.weightQuant);
    const zeros = Object.values(data.activationQuant).map((a) => a.zeroPoint);
    expect(zeros.every((z) => Number.isInteger(z))).toBe(true);
    expect(Object.values(back.activationQuant).map((a) => a.zeroPoint)).toEqual(zeros);
    const perChannel = Object.values(back.weightQuant).filter((q) => q.channelBp);
    expect(perChannel.length).toBe(Object.keys(back.weightQuant).length);
    expect(perChannel.some((q) => new Set(q.channelBp).size > 1)).toBe(true);
    for (const [k, t] of data.weights)
      expect(sameValues(back.weights.get(k)!.data, t.data), k).toBe(true);
    const row = back.layout.tensors.find((t) => t.name === 'conv2.weight')!;
    expect(row.channels).toBe(row.shape[3]);
    expect(writeCompressed(back)).toEqual(bytes);
    const run = compressedNetwork(back);
    const [x] = randomBatches(1, [6, 8, 8, 3], 4);
    const y0 = c.predict(x!);
    const y1 = run.predict(x!);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    tf.dispose([x!, y0, y1]);
    run.dispose();
    c.dispose();
    net.dispose();
  });

  it('a per-tensor file is still version 1 (readers before per-channel read it)', async () => {
    const net = randomBnNetwork(tinyGraph(), 5);
    const { c, bytes, back } = await exportAndRead(net, { weightBits: 6 });
    expect(new DataView(bytes.buffer).getUint16(4, true)).toBe(1);
    expect(back.layout.tensors.every((t) => t.channels === 0)).toBe(true);
    c.dispose();
    net.dispose();
  });

  it('sparse 4-bit + 8-bit activations: same weights, quantizers, masks and logits', async () => {
    const net = randomBnNetwork(tinyGraph(), 3);
    const recipe = { weightBits: 4, activationBits: 8, sparsity: 0.5 };
    const { c, data, bytes, back } = await exportAndRead(net, recipe);
    expect(back.graph).toEqual(data.graph);
    expect(back.recipe).toEqual(data.recipe);
    expect(back.info).toEqual({ note: 'test' });
    expect(back.weightQuant).toEqual(data.weightQuant);
    expect(Object.keys(back.weightQuant).length).toBeGreaterThan(0);
    for (const [k, a] of Object.entries(data.activationQuant)) {
      const b = back.activationQuant[k]!;
      expect([b.bits, b.bp]).toEqual([a.bits, a.bp]);
      expect(b.mean).toBe(Math.fround(a.mean)); // statistics at float32 precision
      expect(b.std).toBe(Math.fround(a.std));
    }
    expect(Object.keys(back.activationQuant).sort()).toEqual(
      Object.keys(data.activationQuant).sort(),
    );
    expect([...back.weights.keys()]).toEqual([...data.weights.keys()]);
    for (const [k, t] of data.weights) {
      expect(back.weights.get(k)!.shape).toEqual(t.shape);
      expect(sameValues(back.weights.get(k)!.data, t.data), k).toBe(true);
    }
    expect(Object.keys(back.masks ?? {}).sort()).toEqual(Object.keys(data.masks ?? {}).sort());
    for (const [k, m] of Object.entries(data.masks ?? {})) expect(back.masks![k]).toEqual(m);
    const conv2 = back.layout.tensors.find((t) => t.name === 'conv2.weight')!;
    expect(conv2).toMatchObject({ encoding: 'sparse', dtype: 'int', bits: 4 });
    // kept weights that quantized to 0 are still stored: nnz is the mask's count, not the nonzeros
    const zerosStored = back.weights
      .get('conv2.weight')!
      .data.filter((v, i) => v === 0 && back.masks!['conv2.weight']![i] === 1);
    expect(zerosStored.length).toBeGreaterThan(0);
    expect(writeCompressed(back)).toEqual(bytes); // re-writing what was read gives the same file
    const run = compressedNetwork(back);
    const [x] = randomBatches(1, [6, 8, 8, 3], 4);
    const y0 = c.predict(x!);
    const y1 = run.predict(x!);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    tf.dispose([x!, y0, y1]);
    run.dispose();
    c.dispose();
    net.dispose();
  });
});

/** Counted storage in bytes without the 32-bit quantization scales, which the file stores as bp. */
function countedPayload(storageBits: number, scales: number): number {
  return (storageBits - 32 * scales) / 8;
}

describe('file size = counted storage (official profile)', () => {
  const recipes: [string, Recipe][] = [
    ['8-bit dense', { weightBits: 8 }],
    ['4-bit + 50 % sparsity', { weightBits: 4, sparsity: 0.5 }],
    [
      'mixed layerBits, 8-bit activations',
      {
        weightBits: 8,
        activationBits: 8,
        layerBits: { conv1: { weight: 6, activation: 32 }, linear: { weight: 3 } },
        layerSparsity: { 'layer2.0.conv1': 0.7 },
      },
    ],
    ['unfolded BN, 6-bit', { weightBits: 6, foldBN: false, sparsity: 0.3 }],
    [
      'per-channel 8-bit MSE + 8-bit activations, 40 % sparsity',
      {
        weightBits: 8,
        activationBits: 8,
        weightGranularity: 'channel',
        quantMethod: 'mse',
        sparsity: 0.4,
      },
    ],
    [
      'per-channel 5-bit, unfolded BN',
      { weightBits: 5, foldBN: false, weightGranularity: 'channel' },
    ],
    ['no quantization (16-bit freebie: float16)', { sparsity: 0.2 }],
    ['no quantization, no freebie (float32)', { freebie: false }],
    ['16-bit activations only (freebie, float16 weights)', { activationBits: 16 }],
  ];
  it.each(recipes)('%s', async (_, recipe) => {
    const net = randomBnNetwork(resnet20Graph(), 9);
    const { c, data, bytes, back } = await exportAndRead(net, recipe);
    const s = scoreModel(net.graph, await net.toWeightsAsync(), data.recipe, { detail: false });
    const counted = s.params32 * 4;
    const segments = back.layout.tensors.reduce((n, t) => n + (t.encoding === 'sparse' ? 2 : 1), 0);
    const gap = back.layout.payloadBytes - countedPayload(s.storageBits, s.quantScales);
    console.log(
      `[compressed size] ${_}: file ${bytes.length} B, counted ${counted.toFixed(0)} B, payload − counted ${gap.toFixed(1)} B (${segments} segments), header ${back.layout.headerBytes} B`,
    );
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(segments);
    expect(Math.abs(bytes.length - counted)).toBeLessThanOrEqual(0.01 * counted + 4096);
    // the score of the file itself (stored recipe, masks as sparsity) is the same score
    const own = scoreCompressed(back, { detail: false });
    expect(own.storageBits).toBeCloseTo(s.storageBits, 6);
    expect(own.score).toBeCloseTo(s.score, 12);
    c.dispose();
    net.dispose();
  });
});
