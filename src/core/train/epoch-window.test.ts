// Epochs shorter than the data (TrainOptions.epochImages): each epoch trains on the next window
// of records, consecutive epochs walk through the whole set, and a resumed run sees the same
// windows as a straight one.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildFromZooName } from '../models/zoo';
import { makeRng } from '../util/rng';
import { windowOrder } from './batching';
import { networkModel } from './network-model';
import { syntheticSource } from './synthetic-source';
import { train } from './trainer';
import type { BatchSource } from './types';

describe('windowOrder', () => {
  it('walks through the records in consecutive windows, wrapping around', () => {
    const sets = [0, 1, 2].map((e) => [...windowOrder(10, 4, e, makeRng(e))].sort((a, b) => a - b));
    expect(sets).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [0, 1, 8, 9],
    ]);
  });
});

/** A synthetic source that records which indices each call asked for. */
function spySource(size: number): { source: BatchSource; seen: number[][] } {
  const inner = syntheticSource({ size, numClasses: 10, imageShape: [32, 32, 3], seed: 3 });
  const seen: number[][] = [];
  const source: BatchSource = {
    ...inner,
    batch: (idx, aug, rng) => {
      seen.push([...idx]);
      return inner.batch(idx, aug, rng);
    },
  };
  return { source, seen };
}

async function run(startEpoch: number, seen: number[][], source: BatchSource, epochs = 3) {
  const net = Network.fromInit(buildFromZooName('tiny'), 1);
  const epochIndices: number[][] = [];
  await train({
    model: networkModel(net),
    source,
    epochs,
    batchSize: 4,
    schedule: { kind: 'constant', lr: 0.01 },
    seed: 5,
    augment: false,
    epochImages: 8,
    startEpoch,
    onEpochEnd: () => void epochIndices.push(seen.splice(0).flat()),
  });
  net.dispose();
  return epochIndices;
}

describe('train with epochImages', () => {
  it('epoch e trains on records [8e, 8e + 8) mod 20, each once; resume sees the same epochs', async () => {
    const before = tf.memory().numTensors;
    const a = spySource(20);
    const straight = await run(0, a.seen, a.source);
    expect(straight.map((e) => [...e].sort((x, y) => x - y))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9, 10, 11, 12, 13, 14, 15],
      [0, 1, 2, 3, 16, 17, 18, 19],
    ]);
    const b = spySource(20);
    const resumed = await run(2, b.seen, b.source);
    expect(resumed).toEqual([straight[2]]); // same records, same order
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a bad epochImages', async () => {
    const a = spySource(20);
    const net = Network.fromInit(buildFromZooName('tiny'), 1);
    await expect(
      train({
        model: networkModel(net),
        source: a.source,
        epochs: 1,
        batchSize: 4,
        schedule: { kind: 'constant', lr: 0.01 },
        seed: 5,
        epochImages: 1.5,
      }),
    ).rejects.toThrow('epochImages must be an integer ≥ 2, got 1.5');
    net.dispose();
  });
});
