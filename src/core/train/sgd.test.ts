// SGD vs update sequences computed by hand from torch.optim.SGD's definition:
// p0 = [1, −2], gradients g1 = [0.5, 0.1], g2 = [−0.3, 0.2], lr 0.1, μ 0.9, wd 0.01.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { Sgd, type SgdConfig } from './sgd';

const GRADS = [
  [0.5, 0.1],
  [-0.3, 0.2],
];

function run(config: SgdConfig, p0 = [1, -2], grads = GRADS, lr = 0.1): number[][] {
  const variable = tf.tidy(() => tf.variable(tf.tensor1d(p0), true));
  const opt = new Sgd(config);
  const trace: number[][] = [];
  for (const g of grads) {
    const grad = tf.tensor1d(g);
    opt.step([{ name: 'w', variable }], new Map([['w', grad]]), lr);
    grad.dispose();
    trace.push(Array.from(variable.dataSync()));
  }
  opt.dispose();
  variable.dispose();
  return trace;
}

function expectClose(got: number[][], want: number[][]): void {
  want.forEach((row, i) => row.forEach((v, j) => expect(got[i]![j]).toBeCloseTo(v, 6)));
}

describe('Sgd', () => {
  let before = 0;
  afterEach(() => expect(tf.memory().numTensors).toBe(before));
  it('plain SGD with L2 weight decay', () => {
    before = tf.memory().numTensors;
    // p1 = p0 − 0.1·(g1 + 0.01·p0) = [0.949, −2.008]; p2 = p1 − 0.1·(g2 + 0.01·p1).
    expectClose(run({ weightDecay: 0.01 }), [
      [0.949, -2.008],
      [0.949 - 0.1 * (-0.3 + 0.00949), -2.008 - 0.1 * (0.2 - 0.02008)],
    ]);
  });

  it('momentum (buffer = first gradient, then μ·b + d)', () => {
    before = tf.memory().numTensors;
    // d1 = [0.51, 0.08] = b1; p1 = [0.949, −2.008]; d2 = [−0.29051, 0.17992];
    // b2 = [0.459 − 0.29051, 0.072 + 0.17992] = [0.16849, 0.25192]; p2 = p1 − 0.1·b2.
    expectClose(run({ momentum: 0.9, weightDecay: 0.01 }), [
      [0.949, -2.008],
      [0.932151, -2.033192],
    ]);
  });

  it('Nesterov (d + μ·b)', () => {
    before = tf.memory().numTensors;
    // step 1: b1 = d1 = [0.51, 0.08]; update d1 + 0.9·b1 = [0.969, 0.152]; p1 = [0.9031, −2.0152].
    // step 2: d2 = g2 + 0.01·p1 = [−0.290969, 0.179848]; b2 = [0.168031, 0.251848];
    //         update = d2 + 0.9·b2 = [−0.1397411, 0.4065112]; p2 = [0.91707411, −2.05585112].
    expectClose(run({ momentum: 0.9, nesterov: true, weightDecay: 0.01 }), [
      [0.9031, -2.0152],
      [0.91707411, -2.05585112],
    ]);
  });

  it('dampening applies from the second step', () => {
    before = tf.memory().numTensors;
    // b1 = g1 = [0.5, 0.1]; b2 = 0.9·b1 + 0.5·g2 = [0.3, 0.19].
    expectClose(run({ momentum: 0.9, dampening: 0.5 }), [
      [0.95, -2.01],
      [0.92, -2.029],
    ]);
  });

  it('excludes rank-1 parameters from decay with bn-and-bias', () => {
    before = tf.memory().numTensors;
    expectClose(run({ weightDecay: 0.5, excludeFromDecay: 'bn-and-bias' }, [1, -2], [[0, 0]]), [
      [1, -2],
    ]);
    expectClose(run({ weightDecay: 0.5, excludeFromDecay: (n) => n === 'w' }, [1, -2], [[0, 0]]), [
      [1, -2],
    ]);
    expectClose(run({ weightDecay: 0.5 }, [1, -2], [[0, 0]]), [[0.95, -1.9]]);
  });

  it('maskFn masks the raw gradient before decay', () => {
    before = tf.memory().numTensors;
    const mask = tf.tensor1d([0, 1]);
    const maskFn = (_: string, g: tf.Tensor) => tf.mul(g, mask);
    // g1 masked = [0, 0.1]; + 0.01·p0 → [0.01, 0.08]; p1 = [0.999, −2.008].
    expectClose(run({ weightDecay: 0.01, maskFn }, [1, -2], [GRADS[0]!]), [[0.999, -2.008]]);
    mask.dispose();
  });

  it('fails fast on bad configs and stale momentum', () => {
    before = tf.memory().numTensors;
    expect(() => new Sgd({ nesterov: true })).toThrow(/Nesterov/);
    expect(() => new Sgd({ momentum: -1 })).toThrow(/-1/);
    expect(() => new Sgd().step([], new Map(), NaN)).toThrow(/NaN/);
    const opt = new Sgd({ momentum: 0.9 });
    const a = tf.tidy(() => tf.variable(tf.zeros([2])));
    const b = tf.tidy(() => tf.variable(tf.zeros([3])));
    const [ga, gb] = [tf.ones([2]), tf.ones([3])];
    opt.step([{ name: 'w', variable: a }], new Map([['w', ga]]), 0.1);
    expect(() => opt.step([{ name: 'w', variable: b }], new Map([['w', gb]]), 0.1)).toThrow(
      /reset/,
    );
    tf.dispose([a, b, ga, gb]);
    opt.dispose();
  });
});
