// evaluateWithEarlyExit on a stub model with hand-made logits: the strict `> threshold` rule on
// the exit head's max softmax probability, per-image predictions, metrics, batching, errors.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateWithEarlyExit, type EarlyExitModel } from './early-exit';
import { CancelledError, type BatchSource } from './types';

// 3 images, 6 classes. Image i is encoded as the pixel value i.
const MAIN = [
  [1, -1, 5, 1, 1, 1], // predicts 2; its label 1 ranks last (not top-5)
  [0, 4, 0, 0, 0, 0], // predicts 1
  [1, 0, 0, 0, 0, 3], // predicts 5
];
const EXIT = [
  [0, 9, 0, 0, 0, 0], // p(1) = e^9 / (e^9 + 5) ≈ 0.9994 → exits, predicts 1
  [0, 0, 0, 0, 0, 0], // p = 1/6 exactly → never exits at 1/6 (strict)
  [2, 0, 0, 0, 0, 0], // p(0) = e² / (e² + 5) ≈ 0.5964 → stays
];
const LABELS = [1, 1, 0];

const source: BatchSource = {
  size: 3,
  imageShape: [1, 1, 1],
  batch: (idx) => ({ x: Float32Array.from(idx), y: Int32Array.from(idx, (i) => LABELS[i]!) }),
};

function stub(exitKey = 'exit'): EarlyExitModel {
  return {
    forward: (x) => {
      const rows = Array.from(x.dataSync());
      return {
        output: tf.tensor2d(rows.map((i) => MAIN[i]!)),
        extra: { [exitKey]: tf.tensor2d(rows.map((i) => EXIT[i]!)) },
      };
    },
  };
}

/** Mean cross-entropy of MAIN against LABELS, by hand. */
function mainLoss(): number {
  const ce = MAIN.map((z, i) => Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[LABELS[i]!]!);
  return ce.reduce((a, b) => a + b, 0) / ce.length;
}

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('evaluateWithEarlyExit', () => {
  it('exits iff max softmax > 0.85 and reports both predictions and metrics', async () => {
    const seen: number[] = [];
    const r = await evaluateWithEarlyExit(stub(), source, {
      batchSize: 2,
      onProgress: (p) => seen.push(p.done),
    });
    expect(seen).toEqual([2, 3]);
    expect(Array.from(r.predMain)).toEqual([2, 1, 5]);
    expect(Array.from(r.exitMask)).toEqual([1, 0, 0]);
    expect(Array.from(r.predEarlyExit)).toEqual([1, 1, 5]);
    expect(r.exitMaxProb[0]).toBeCloseTo(Math.exp(9) / (Math.exp(9) + 5), 6);
    expect(r.exitMaxProb[1]).toBeCloseTo(1 / 6, 7);
    expect(r.n).toBe(3);
    expect(r.top1).toBeCloseTo(1 / 3, 12);
    expect(r.top1EarlyExit).toBeCloseTo(2 / 3, 12);
    expect(r.top1ExitHead).toBeCloseTo(2 / 3, 12); // argmax exit = [1, 0, 0]
    expect(r.exitRate).toBeCloseTo(1 / 3, 12);
    expect(r.top5).toBeCloseTo(2 / 3, 12); // images 1, 2
    expect(r.loss).toBeCloseTo(mainLoss(), 5);
  });

  it('compares strictly and honours threshold, indices and exitKey', async () => {
    const r = await evaluateWithEarlyExit(stub('head'), source, {
      batchSize: 8,
      threshold: 0.5,
      exitKey: 'head',
      indices: [2, 1],
    });
    expect(Array.from(r.exitMask)).toEqual([1, 0]); // 0.5964 > 0.5; 1/6 is not
    expect(Array.from(r.predEarlyExit)).toEqual([0, 1]);
    expect(r.top1EarlyExit).toBe(1);
  });

  it('fails clearly: missing exit output, bad options, cancellation', async () => {
    await expect(evaluateWithEarlyExit(stub('other'), source, { batchSize: 2 })).rejects.toThrow(
      "no extra output 'exit' (has: other)",
    );
    await expect(evaluateWithEarlyExit(stub(), source, { batchSize: 0 })).rejects.toThrow(
      'batchSize must be an integer ≥ 1, got 0',
    );
    await expect(
      evaluateWithEarlyExit(stub(), source, { batchSize: 2, threshold: 1.5 }),
    ).rejects.toThrow('threshold must be in [0, 1], got 1.5');
    await expect(
      evaluateWithEarlyExit(stub(), source, { batchSize: 2, signal: { aborted: true } }),
    ).rejects.toThrow(CancelledError);
  });

  it('blends the exit head into the prediction of images that stay (recipe.exitBlend)', async () => {
    // Image 2 stays (0.5964 ≤ 0.85). softmax(main) ≈ [0.1014, …, 0.7496] (classes 0 and 5),
    // softmax(exit) ≈ [0.5964, 0.0807 × 5]: class 0 overtakes 5 once w > 0.6482 / 0.5157 ≈ 1.257.
    const at = (blend: number) => evaluateWithEarlyExit(stub(), source, { batchSize: 3, blend });
    const none = await at(0);
    const weak = await at(1.2);
    const strong = await at(1.3);
    expect(Array.from(none.predEarlyExit)).toEqual([1, 1, 5]);
    expect(Array.from(weak.predEarlyExit)).toEqual([1, 1, 5]);
    expect(Array.from(strong.predEarlyExit)).toEqual([1, 1, 0]);
    expect(strong.top1EarlyExit).toBe(1);
    expect(none.top1EarlyExit).toBeCloseTo(2 / 3, 12);
    for (const r of [weak, strong]) {
      expect(r.top1).toBe(none.top1); // the main head alone, whatever the blend
      expect(Array.from(r.exitMask)).toEqual(Array.from(none.exitMask));
    }
    await expect(at(4.5)).rejects.toThrow('blend must be in [0, 4], got 4.5');
  });
});
