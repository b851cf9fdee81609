import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rankOfTrueClass, topKCounts } from './metrics';

const LOGITS = [
  [0.1, 0.9, 0.3, 0.2, 0.0, -1], // label 1: rank 0
  [5, 4, 3, 2, 1, 0], // label 4: rank 4 (top-5 only)
  [5, 4, 3, 2, 1, 0], // label 5: rank 5 (neither)
  [NaN, 0, 0, 0, 0, 0], // label 0: NaN never counts as correct
  [1, 1, 1, 1, 1, 1], // label 3: ties count in favour → rank 0
];
const LABELS = [1, 4, 5, 0, 3];

describe('top-k metrics', () => {
  it('ranks the true class', () => {
    const r = tf.tidy(() =>
      Array.from(rankOfTrueClass(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32')).dataSync()),
    );
    expect(r.slice(0, 3)).toEqual([0, 4, 5]);
    expect(r[3]).toBeGreaterThanOrEqual(5);
    expect(r[4]).toBe(0);
  });

  it('counts top-1 and top-5', async () => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d(LOGITS);
    const labels = tf.tensor1d(LABELS, 'int32');
    expect(await topKCounts(logits, labels)).toEqual({ top1: 2, top5: 3 });
    tf.dispose([logits, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
