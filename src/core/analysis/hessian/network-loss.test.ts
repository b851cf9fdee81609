// The loss the Hessian is taken of: main output only (OSI's exit head and its parameters left
// out), eval mode, overall mean over unequal batches; and the record batching.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, listParams } from '../../graph/params';
import { buildOsiMicronet } from '../../models/osi-micronet';
import { softmaxCrossEntropy } from '../../train/loss';
import type { BatchSource } from '../../train/types';
import { lossValue } from './hvp';
import { mainOutputGraph, networkLossModel, sourceBatches } from './network-loss';
import { randomBatches, randomNetwork, tinyConvGraph } from './networks.test-helpers';

describe('mainOutputGraph', () => {
  it('drops the OSI early-exit head: 483,192 main-network parameters', () => {
    const g = buildOsiMicronet();
    const main = mainOutputGraph(g);
    expect(main.extraOutputs).toBeUndefined();
    expect(main.nodes.some((n) => n.name.startsWith('_exit'))).toBe(false);
    expect(main.nodes.length).toBeLessThan(g.nodes.length);
    const exitParams = listParams(g)
      .filter((p) => p.trainable && p.node.startsWith('_exit'))
      .reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(exitParams).toBeGreaterThan(0);
    expect(countParams(main)).toBe(countParams(g) - exitParams);
    expect(countParams(main)).toBe(483_192);
  });
});

describe('networkLossModel', () => {
  it('is the mean eval-mode cross-entropy over all records (unequal batches)', async () => {
    const before = tf.memory().numTensors;
    const net = randomNetwork(tinyConvGraph(), 1);
    const batches = randomBatches([3, 1, 2], 2);
    const model = networkLossModel(net, batches);
    expect(model.count).toBe(6);
    expect(model.names).toEqual(net.trainableNames());
    const got = await lossValue(model);
    const want = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(batches.flatMap((b) => [...b.x])), [6, 8, 8, 3]);
      const y = tf.tensor1d(Int32Array.from(batches.flatMap((b) => [...b.y])), 'int32');
      return softmaxCrossEntropy(net.predict(x), y).dataSync()[0]!;
    });
    expect(got).toBeCloseTo(want, 5);
    model.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad batches with the bad value in the message', () => {
    const net = randomNetwork(tinyConvGraph(), 1);
    const [b] = randomBatches([2], 3);
    expect(() => networkLossModel(net, [])).toThrow(/no batches/);
    expect(() => networkLossModel(net, [{ x: b!.x.subarray(1), y: b!.y }])).toThrow(/pixel values/);
    expect(() => networkLossModel(net, [{ x: b!.x, y: Int32Array.from([0, 5]) }])).toThrow(
      /label 5 outside \[0, 5\)/,
    );
    net.dispose();
  });
});

describe('sourceBatches', () => {
  it('takes the first records in order, without augmentation', () => {
    const calls: { idx: number[]; augment: boolean }[] = [];
    const source: BatchSource = {
      size: 10,
      batch: (idx, augment) => {
        calls.push({ idx: [...idx], augment });
        return { x: new Float32Array(idx.length), y: Int32Array.from(idx) };
      },
    };
    const b = sourceBatches(source, 7, 3);
    expect(b.map((x) => [...x.y])).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(calls.every((c) => !c.augment)).toBe(true);
    expect(() => sourceBatches(source, 11, 3)).toThrow(/\[1, 10\], got 11/);
  });
});
