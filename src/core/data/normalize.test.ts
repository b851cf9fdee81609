import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR, ORACLES_DIR } from '../../test-paths';
import { makeRng } from '../util/rng';
import { STANDARD_AUGMENT } from './augment';
import { parseRecords } from './cifar-records';
import { imagesToNHWC, makeBatch, normalizationLut } from './normalize';
import { makeBin, sameBytes } from './fixtures.test-helpers';

describe('normalisation', () => {
  it('LUT holds float32((v/255 − mean)/std) per channel', () => {
    const lut = normalizationLut();
    const f = Math.fround;
    // v = 0: −mean/std; v = 255: (1 − mean)/std, each rounded to float32 per step.
    expect(lut[0]).toBe(f(f(0 - f(0.5071)) / f(0.2675)));
    expect(lut[255]).toBe(f(f(1 - f(0.5071)) / f(0.2675)));
    expect(lut[256 + 128]).toBe(f(f(f(128 / 255) - f(0.4867)) / f(0.2565)));
    expect(lut[512 + 255]).toBeCloseTo((1 - 0.4408) / 0.2761, 6);
  });

  it('matches the PyTorch float32 oracle bit for bit (test records 0 and 1)', () => {
    const oracle = new Float32Array(
      new Uint8Array(
        fs.readFileSync(
          path.join(ORACLES_DIR, 'osi-ai-micronet/golden/activations/input_normalized_32.f32'),
        ),
      ).buffer,
    ); // [2, 3, 32, 32] NCHW
    const fd = fs.openSync(path.join(CIFAR_DIR, 'test.bin'), 'r');
    const buf = new Uint8Array(2 * 3074);
    fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    const x = imagesToNHWC(parseRecords(buf, 'test.bin'), [0, 1]); // [2, 32, 32, 3]
    let mismatches = 0;
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 1024; p++) {
          if (x[n * 3072 + p * 3 + c] !== oracle[n * 3072 + c * 1024 + p]) mismatches++;
        }
      }
    }
    expect(oracle.length).toBe(6144);
    expect(mismatches).toBe(0);
  });

  it('lays images out NHWC in index order and reuses an output buffer', () => {
    const s = parseRecords(
      makeBin(3, undefined, (r, k) => (k < 1024 ? r : k < 2048 ? 100 : 200)),
      'x',
    );
    const lut = normalizationLut();
    const out = new Float32Array(2 * 3072);
    const x = imagesToNHWC(s, [2, 0], out);
    expect(x).toBe(out);
    expect([x[0], x[1], x[2]]).toEqual([lut[2], lut[256 + 100], lut[512 + 200]]);
    expect(x[3072]).toBe(lut[0]); // image 0, R
    expect(() => imagesToNHWC(s, [3])).toThrow('image index 3 is outside 0…2');
  });
});

describe('makeBatch', () => {
  const s = parseRecords(makeBin(8), 'x');

  it('returns x [B,32,32,3], fine labels and the shape', () => {
    const b = makeBatch(s, [5, 1, 7]);
    expect(b.shape).toEqual([3, 32, 32, 3]);
    expect(Array.from(b.y)).toEqual([5, 1, 7]);
    expect(sameBytes(b.x, imagesToNHWC(s, [5, 1, 7]))).toBe(true);
  });

  it('augments reproducibly from the seed, and differently for another seed', () => {
    const a = makeBatch(s, [0, 1, 2, 3], { augment: STANDARD_AUGMENT, rng: makeRng(7) });
    const b = makeBatch(s, [0, 1, 2, 3], { augment: STANDARD_AUGMENT, rng: makeRng(7) });
    const c = makeBatch(s, [0, 1, 2, 3], { augment: STANDARD_AUGMENT, rng: makeRng(8) });
    expect(sameBytes(a.x, b.x)).toBe(true);
    expect(sameBytes(a.x, c.x)).toBe(false);
    expect(() => makeBatch(s, [0], { augment: STANDARD_AUGMENT })).toThrow('needs an rng');
  });

  it('applies cutout as zeros in normalised space', () => {
    const opts = { pad: 0, flip: false, cutout: 16, autoAugment: false };
    const b = makeBatch(s, [3], { augment: opts, rng: makeRng(1) });
    const zeros = b.x.reduce((k, v) => k + (v === 0 ? 1 : 0), 0);
    // A 16×16 square clipped at the borders: between 8×8 and 16×16 pixels, 3 channels each.
    expect(zeros % 3).toBe(0);
    expect(zeros).toBeGreaterThanOrEqual(8 * 8 * 3);
    expect(zeros).toBeLessThanOrEqual(16 * 16 * 3);
  });
});
