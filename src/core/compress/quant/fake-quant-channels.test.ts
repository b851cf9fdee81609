// Per-channel fake quantization (channel-last: element i in channel i mod C): a hand-checked
// case of values and straight-through gradients (dy inside each channel's own clamp range, 0
// outside), and the on-device per-channel SigmaMax equal to the CPU's exponents and values.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../../util/rng';
import { channelBinaryPoints, quantizeChannels } from './exponents';
import { fakeQuantSteChannels, fakeQuantSteSigmaMax, sigmaMaxScale } from './fake-quant';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('per-channel fake quantization', () => {
  it('hand-checked: 4 bits (levels −8…7), channel 0 at bp 0, channel 1 at bp 2', () => {
    // Columns are channels: channel 0 = [3, 9, −8.5], channel 1 = [1.5, −2.5, 1.74].
    const x = tf.tensor2d([
      [3, 1.5],
      [9, -2.5],
      [-8.5, 1.74],
    ]);
    const dy = tf.tensor2d([
      [2, 3],
      [5, 7],
      [11, 13],
    ]);
    const f = (t: tf.Tensor) => fakeQuantSteChannels(t, 4, [0, 2]);
    const y = tf.tidy(() => f(x));
    // 9 → 7 (clamped), −8.5 → −8 (clamped); 1.5·4 = 6 → 1.5, −2.5·4 = −10 → −8/4, 1.74·4 = 6.96 → 7/4.
    expect(y.arraySync()).toEqual([
      [3, 1.5],
      [7, -2],
      [-8, 1.75],
    ]);
    const g = tf.grad(f)(x, dy);
    expect(g.arraySync()).toEqual([
      [2, 3],
      [0, 0],
      [0, 13],
    ]);
    // A depthwise weight [kh, kw, C, 1] splits into its C channels the same way.
    const dw = tf.reshape(x, [3, 1, 2, 1]);
    const ydw = tf.tidy(() => tf.reshape(fakeQuantSteChannels(dw, 4, [0, 2]), [3, 2]));
    expect(ydw.arraySync()).toEqual(y.arraySync());
    tf.dispose([x, dy, y, g, dw, ydw]);
  });

  it('on-device SigmaMax per channel equals channelBinaryPoints / quantizeChannels', () => {
    const rng = makeRng(3);
    const c = 6;
    // Channels of very different scales (as after BN folding), and one of a single row.
    const data = Float32Array.from(
      { length: 5 * c },
      (_, i) => randNormal(rng) * 10 ** ((i % c) - 3),
    );
    for (const [rows, bits, lambda] of [
      [5, 8, 10],
      [5, 4, 3],
      [1, 6, 10],
    ] as const) {
      const vals = data.slice(0, rows * c);
      const bps = channelBinaryPoints(vals, c, { bits, lambda, method: 'sigmamax' });
      const x = tf.tensor2d(vals, [rows, c]);
      const scale = sigmaMaxScale(x, bits, lambda, c);
      expect(Array.from(scale.dataSync())).toEqual(bps.map((bp) => 2 ** bp));
      const f = (t: tf.Tensor) => fakeQuantSteSigmaMax(t, bits, lambda, c);
      const y = tf.tidy(() => f(x));
      expect(Array.from(y.dataSync())).toEqual(Array.from(quantizeChannels(vals, bits, bps)));
      const g = tf.grad(f)(x);
      const [lo, hi] = [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
      const inside = Array.from(vals, (v, i) => {
        const s = v * 2 ** bps[i % c]!;
        return s >= lo && s <= hi ? 1 : 0;
      });
      expect(Array.from(g.dataSync())).toEqual(inside);
      tf.dispose([x, scale, y, g]);
    }
  });

  it('names a shape that does not split into the channels', () => {
    const x = tf.zeros([2, 3]);
    expect(() => fakeQuantSteChannels(x, 8, [0, 1, 2, 3])).toThrow(
      'per-channel fake quantization: [2,3] does not split into 4 channels',
    );
    x.dispose();
  });
});
