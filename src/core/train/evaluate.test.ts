import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { evaluate, type EvalProgress } from './evaluate';
import { CancelledError, type BatchSource } from './types';

// 1×1×4 "images" whose pixel values are the logits themselves (identity predictor).
const LOGITS = [
  [3, 1, 0, 0], // label 0: top-1
  [0, 2, 5, 1], // label 1: rank 1 → top-5 only
  [1, 1, 9, 0], // label 2: top-1
  [4, 3, 2, 1], // label 3: rank 3 → top-5 only
  [0, 0, 0, 7], // label 3: top-1
];
const LABELS = [0, 1, 2, 3, 3];

const source: BatchSource = {
  size: LOGITS.length,
  imageShape: [1, 1, 4],
  batch: (idx) => ({
    x: Float32Array.from(Array.from(idx).flatMap((i) => LOGITS[i]!)),
    y: Int32Array.from(Array.from(idx).map((i) => LABELS[i]!)),
  }),
};
const identity = { predict: (x: tf.Tensor4D) => tf.reshape(x, [x.shape[0], 4]) };

function ce(row: number[], label: number): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[label]!;
}

describe('evaluate', () => {
  it('computes top-1, top-5 and loss with progress', async () => {
    const before = tf.memory().numTensors;
    const progress: EvalProgress[] = [];
    const r = await evaluate(identity, source, {
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(r.n).toBe(5);
    expect(r.top1).toBeCloseTo(3 / 5, 12);
    expect(r.top5).toBe(1);
    const loss = LOGITS.reduce((s, row, i) => s + ce(row, LABELS[i]!), 0) / 5;
    expect(r.loss).toBeCloseTo(loss, 5);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(progress.map((p) => [p.done, p.total])).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(progress.at(-1)!.etaSeconds).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluates a subset of indices', async () => {
    const r = await evaluate(identity, source, { batchSize: 8, indices: [1, 3] });
    expect(r).toMatchObject({ n: 2, top1: 0, top5: 1 });
  });

  it('stops when the signal is aborted', async () => {
    const signal = { aborted: false };
    const run = evaluate(identity, source, {
      batchSize: 1,
      signal,
      onProgress: (p) => {
        if (p.done === 2) signal.aborted = true;
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(evaluate(identity, source, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(evaluate(identity, source, { batchSize: 1, indices: [9] })).rejects.toThrow(
      /index 9/,
    );
  });
});
