// Bit packing: every width 1–16 round-trips its full two's-complement range (every code
// SigmaMax can produce: quantizeValues clamps k to [−2^(b−1), 2^(b−1) − 1]) at lengths that are
// and are not multiples of 8; the stream is LSB-first (hand-computed bytes); out-of-range codes
// and widths are refused.
import { describe, expect, it } from 'vitest';
import { levelRange, quantizeValues } from '../../compress/quant/sigma-max';
import { makeRng } from '../../util/rng';
import {
  packedBytes,
  packSigned,
  packUnsigned,
  signedRange,
  unpackSigned,
  unpackUnsigned,
} from './bit-pack';

describe('bit packing', () => {
  it('round-trips every width 1–16 with extreme and random codes, any length', () => {
    const rng = makeRng(42);
    for (let bits = 1; bits <= 16; bits++) {
      const [lo, hi] = signedRange(bits);
      if (bits >= 2) expect([lo, hi]).toEqual(levelRange(bits)); // SigmaMax's clamp range
      for (const n of [0, 1, 7, 8, 9, 13, 64, 100, 1001]) {
        const codes = Int32Array.from({ length: n }, (_, i) =>
          i % 5 === 0
            ? lo
            : i % 5 === 1
              ? hi
              : i % 5 === 2
                ? 0
                : lo + Math.floor(rng() * (hi - lo + 1)),
        );
        const bytes = packSigned(codes, bits);
        expect(bytes.length).toBe(packedBytes(n, bits));
        expect(Array.from(unpackSigned(bytes, bits, n))).toEqual(Array.from(codes));
        const u = Uint32Array.from(codes, (k) => (k < 0 ? k + 2 ** bits : k));
        expect(packUnsigned(u, bits)).toEqual(bytes);
        expect(Array.from(unpackUnsigned(bytes, bits, n))).toEqual(Array.from(u));
      }
    }
  });

  it('holds every code quantizeValues produces, clamped extremes included', () => {
    for (const bits of [2, 3, 4, 8, 12, 16]) {
      const bp = bits - 3;
      const data = Float32Array.from([-1e9, -4.1, -4, -3.99, -0.3, 0, 0.3, 3.99, 4, 1e9]);
      const q = quantizeValues(data, bits, bp);
      const codes = Int32Array.from(q, (v) => v * 2 ** bp);
      const back = unpackSigned(packSigned(codes, bits), bits, codes.length);
      expect(Array.from(back, (k) => k * 2 ** -bp)).toEqual(Array.from(q, (v) => v + 0)); // +0: −0
    }
  });

  it('is LSB-first (hand-computed bytes) and pads the last byte with zeros', () => {
    // 3-bit codes 1, −1 (=7), 2, −4 (=4): bits 001 111 010 100 → stream 1,0,0, 1,1,1, 0,1,0, 0,0,1
    // byte 0 = stream bits 0..7 = 1 0 0 1 1 1 0 1 (LSB first) = 0b10111001 = 0xb9;
    // byte 1 = stream bits 8..11 = 0 0 0 1, then zero padding → 0b00001000 = 0x08
    expect(Array.from(packSigned([1, -1, 2, -4], 3))).toEqual([0xb9, 0x08]);
    expect(Array.from(packUnsigned([1, 0, 0, 0, 0, 0, 0, 0, 1], 1))).toEqual([0x01, 0x01]);
    expect(Array.from(packSigned([-2, 0x1234], 16))).toEqual([0xfe, 0xff, 0x34, 0x12]);
  });

  it('refuses codes out of range, bad widths and short buffers', () => {
    expect(() => packSigned([8], 4)).toThrow('code 8 at index 0 is outside [-8, 7] (4 bits)');
    expect(() => packSigned([-9], 4)).toThrow('outside [-8, 7]');
    expect(() => packSigned([0.5], 4)).toThrow('code 0.5');
    expect(() => packSigned([0], 17)).toThrow('width must be an integer in 1–16, got 17');
    expect(() => packUnsigned([2], 1)).toThrow('value 2 at index 0 does not fit 1 unsigned bits');
    expect(() => unpackSigned(new Uint8Array(1), 4, 3)).toThrow('3 × 4 bits need 2 bytes, got 1');
  });
});
