// logitsOfCheckpoint on the cpu backend: for a tiny lab checkpoint and 5 synthetic test.bin
// records, probed in batches of 2, the logits equal the network's own forward pass over all 5
// records at once (same weights, same normalisation), rows in record order; bad limits fail.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { imagesToNHWC } from '../core/data/normalize';
import { parseRecords } from '../core/data/cifar-records';
import { Network } from '../core/graph/network';
import { initWeights } from '../core/graph/params';
import { writeLabCheckpoint } from '../core/io/lab-checkpoint';
import { buildFromZooName } from '../core/models/zoo';
import { makeRng } from '../core/util/rng';
import { logitsOfCheckpoint } from './logits-probe';

const RECORD = 3074;

function syntheticTestBin(count: number): Uint8Array {
  const rng = makeRng(7);
  const bytes = new Uint8Array(count * RECORD);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng() * 256);
  for (let r = 0; r < count; r++) {
    bytes[r * RECORD] = r % 20; // coarse
    bytes[r * RECORD + 1] = r; // fine
  }
  return bytes;
}

describe('logitsOfCheckpoint', () => {
  const graph = buildFromZooName('tiny');
  const weights = initWeights(graph, 11);
  const checkpoint = writeLabCheckpoint(graph, weights);
  const testData = syntheticTestBin(6);

  it('gives the logits of a direct forward pass, in record order', async () => {
    const before = tf.memory().numTensors;
    const r = await logitsOfCheckpoint({
      checkpoint,
      checkpointName: 'tiny.safetensors',
      testData,
      limit: 5,
      batchSize: 2,
    });
    expect(r).toMatchObject({ model: graph.name, backend: 'cpu', n: 5, numClasses: 100 });
    expect(r.main.length).toBe(5 * 100);
    expect(Object.keys(r.extra)).toEqual([]);

    const net = Network.fromWeights(graph, weights);
    const split = parseRecords(testData, 'test.bin');
    const x = tf.tensor4d(imagesToNHWC(split, [0, 1, 2, 3, 4]), [5, 32, 32, 3]);
    const y = net.predict(x);
    const want = y.dataSync();
    tf.dispose([x, y]);
    net.dispose();
    let maxErr = 0;
    for (let i = 0; i < want.length; i++)
      maxErr = Math.max(maxErr, Math.abs(r.main[i]! - want[i]!));
    expect(maxErr).toBeLessThan(1e-5);
    expect(r.main[0]).not.toBe(r.main[100]); // distinct records give distinct rows
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bad limit or batch size, naming the value', async () => {
    const req = { checkpoint, checkpointName: 't.safetensors', testData, limit: 2, batchSize: 1 };
    await expect(logitsOfCheckpoint({ ...req, limit: 0 })).rejects.toThrow(/limit .* got 0/);
    await expect(logitsOfCheckpoint({ ...req, batchSize: 1.5 })).rejects.toThrow(/got 1.5/);
    await expect(logitsOfCheckpoint({ ...req, limit: 7 })).rejects.toThrow(/outside/);
  });
});
