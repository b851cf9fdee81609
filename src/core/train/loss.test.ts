import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from './loss';

// logits row 0 = [1, 2, 3] (label 2), row 1 = [0, 0, 0] (label 0).
// log Σ exp row 0 = 3 + log(1 + e⁻¹ + e⁻²) = 3.40760596 → log p = [−2.40760596, −1.40760596, −0.40760596];
// row 1: log p = −log 3 = −1.09861229 each.
const LOGITS = [
  [1, 2, 3],
  [0, 0, 0],
];

function lossOf(logits: number[][], labels: number[], smoothing?: number): number {
  return tf.tidy(
    () =>
      softmaxCrossEntropy(
        tf.tensor2d(logits),
        tf.tensor1d(labels, 'int32'),
        smoothing,
      ).dataSync()[0]!,
  );
}

describe('softmaxCrossEntropy', () => {
  it('matches hand-computed values without smoothing', () => {
    expect(lossOf(LOGITS, [2, 0])).toBeCloseTo((0.40760596 + 1.09861229) / 2, 6);
  });

  it('label smoothing ε = 0.1: 0.9·nll + 0.1·mean(−log p)', () => {
    // row 0: 0.9·0.40760596 + 0.1·1.40760596 = 0.50760596; row 1: 1.09861229.
    expect(lossOf(LOGITS, [2, 0], 0.1)).toBeCloseTo((0.50760596 + 1.09861229) / 2, 6);
  });

  it('is numerically stable for huge logits', () => {
    expect(lossOf([[1000, 0]], [1])).toBeCloseTo(1000, 3);
    expect(lossOf([[1000, 0]], [0])).toBeCloseTo(0, 6);
  });

  it('gradient = (softmax − target)/N', () => {
    const g = tf.tidy(() => {
      const labels = tf.tensor1d([2, 0], 'int32');
      return tf
        .grad((z: tf.Tensor) => softmaxCrossEntropy(z, labels, 0.1))(tf.tensor2d(LOGITS))
        .arraySync() as number[][];
    });
    const p0 = [0.09003057, 0.24472847, 0.66524096];
    const q0 = [0.1 / 3, 0.1 / 3, 0.9 + 0.1 / 3];
    g[0]!.forEach((v, k) => expect(v).toBeCloseTo((p0[k]! - q0[k]!) / 2, 6));
    expect(g[1]![0]).toBeCloseTo((1 / 3 - (0.9 + 0.1 / 3)) / 2, 6);
  });

  it('fails fast on bad shapes and smoothing', () => {
    expect(() => lossOf(LOGITS, [0])).toThrow(/labels must be \[2\]/);
    expect(() => lossOf(LOGITS, [0, 1], 1)).toThrow(/smoothing/);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    lossOf(LOGITS, [2, 0], 0.2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
