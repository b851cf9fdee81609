import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORACLES_DIR } from '../../test-paths';
import { bf16ToFloat, floatToBf16, floatToHalf, halfToFloat } from './float16';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors';

/** Hand-made file: header JSON (unpadded) + `dataLen` zero bytes. */
function make(header: unknown, dataLen: number, headerLen?: number): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  return out;
}

describe('readSafetensors', () => {
  it('reads the oracle checkpoint (F32 + int64 num_batches_tracked)', () => {
    const file = path.join(ORACLES_DIR, 'pyramidnet', 'basic_d8_a48', 'weights.safetensors');
    const { tensors } = readSafetensors(new Uint8Array(fs.readFileSync(file)));
    expect(tensors.size).toBe(64);
    const w = tensors.get('conv1.weight')!;
    expect([w.dtype, w.shape]).toEqual(['F32', [16, 3, 3, 3]]);
    expect(w.data).toBeInstanceOf(Float32Array);
    const nbt = tensors.get('bn1.num_batches_tracked')!;
    expect([nbt.dtype, nbt.shape, nbt.data]).toEqual(['I64', [], new BigInt64Array([0n])]);
  });

  it('round-trips F32/F64/I64/I32/U8/BOOL/F16/BF16 and metadata', () => {
    const t = new Map<string, SafeTensor>([
      ['a', { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, -2.5, 3e-8, 4]) }],
      ['b', { dtype: 'I64', shape: [2], data: new BigInt64Array([-3n, 9007199254740993n]) }],
      ['c', { dtype: 'F16', shape: [3], data: new Float32Array([1, -0.5, 65504]) }],
      ['d', { dtype: 'BF16', shape: [2], data: new Float32Array([1.5, -256]) }],
      ['e', { dtype: 'U8', shape: [0], data: new Uint8Array(0) }],
      ['f', { dtype: 'F64', shape: [1], data: new Float64Array([Math.PI]) }],
      ['g', { dtype: 'I32', shape: [1], data: new Int32Array([-7]) }],
      ['h', { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) }],
    ]);
    const bytes = writeSafetensors(t, { format: 'pt' });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(back.tensors).toEqual(t);
  });

  it('rejects malformed files with clear errors', () => {
    const f32 = (offs: number[], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offs });
    expect(() => readSafetensors(new Uint8Array(5))).toThrow(/too short \(5 bytes\)/);
    expect(() => readSafetensors(make({}, 0, 1000))).toThrow(
      /header length 1000 runs past the end/,
    );
    expect(() => readSafetensors(make('{"a": ', 0))).toThrow(/not valid UTF-8 JSON/);
    expect(() => readSafetensors(make({ a: f32([0, 16]) }, 8))).toThrow(
      /'a': data_offsets \[0, 16\] out of range \(data is 8 bytes\)/,
    );
    expect(() => readSafetensors(make({ a: f32([0, 12]) }, 12))).toThrow(
      /'a': shape \[2\] × F32 needs 8 bytes, data_offsets span 12/,
    );
    expect(() => readSafetensors(make({ a: f32([0, 8]), b: f32([4, 12]) }, 12))).toThrow(
      /'b' overlaps/,
    );
    expect(() => readSafetensors(make({ a: f32([0, 8]), b: f32([12, 20]) }, 20))).toThrow(
      /hole in data buffer: bytes 8..12/,
    );
    expect(() => readSafetensors(make({ a: f32([0, 8]) }, 10))).toThrow(/2 trailing bytes/);
    expect(() =>
      readSafetensors(make({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, 8)),
    ).toThrow(/unsupported dtype "C64"/);
    expect(() => readSafetensors(make({ __metadata__: { n: 1 } }, 0))).toThrow(
      /__metadata__ must map strings/,
    );
    expect(() => readSafetensors(make([1, 2], 0))).toThrow(/must be an object/);
  });

  it('rejects header lies: negative, fractional or overflowing shapes and offsets', () => {
    const t = (shape: unknown, offs: unknown = [0, 8]) => ({
      a: { dtype: 'F32', shape, data_offsets: offs },
    });
    expect(() => readSafetensors(make(t([-2]), 8))).toThrow(
      /'a': shape must be non-negative integers, got \[-2\]/,
    );
    expect(() => readSafetensors(make(t([2.5]), 8))).toThrow(/shape must be non-negative integers/);
    expect(() => readSafetensors(make(t(['2']), 8))).toThrow(/shape must be non-negative integers/);
    // 2^53 is not a safe integer; a product past 2^53 overflows even when a later dim is 0
    expect(() => readSafetensors(make(t([2 ** 53]), 8))).toThrow(
      /shape must be non-negative integers/,
    );
    expect(() => readSafetensors(make(t([2 ** 30, 2 ** 30, 2 ** 30, 0], [0, 0]), 0))).toThrow(
      /'a': shape \[1073741824,1073741824,1073741824,0\] overflows/,
    );
    expect(() => readSafetensors(make(t([1e300, 0], [0, 0]), 0))).toThrow(
      /shape must be non-negative integers/,
    );
    // offsets: negative, reversed, past the end (also 2^64, which JSON rounds), not integers
    expect(() => readSafetensors(make(t([2], [-8, 0]), 8))).toThrow(
      /data_offsets must be \[begin, end\]/,
    );
    expect(() => readSafetensors(make(t([2], [8, 0]), 8))).toThrow(
      /data_offsets \[8, 0\] out of range/,
    );
    expect(() => readSafetensors(make(t([2], [0, 18446744073709551616]), 8))).toThrow(
      /out of range \(data is 8 bytes\)/,
    );
    expect(() => readSafetensors(make(t([2], [0.5, 8]), 8))).toThrow(
      /data_offsets must be \[begin, end\]/,
    );
    expect(() => readSafetensors(make(t([2], [0, 8, 16]), 16))).toThrow(
      /data_offsets must be \[begin, end\]/,
    );
    // a header length that overflows a 64-bit read must not wrap around
    expect(() => readSafetensors(make({}, 0, 2 ** 63))).toThrow(
      /header length 9223372036854775808 runs past the end/,
    );
  });
});

describe('half / bfloat16 conversion', () => {
  it('matches IEEE bit patterns with round-to-nearest-even', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [0.1, 0x2e66],
      [1e6, 0x7c00],
      [2 ** -26, 0x0000],
      [1 + 2 ** -11, 0x3c00], // tie → even
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
    ];
    for (const [v, bits] of cases) expect([v, floatToHalf(v)]).toEqual([v, bits]);
    expect(halfToFloat(0x2e66)).toBe(0.0999755859375);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(Number.isNaN(halfToFloat(floatToHalf(Number.NaN)))).toBe(true);
    expect(floatToBf16(1.00390625)).toBe(0x3f80); // 1 + 2^-8 ties to even
    expect(bf16ToFloat(floatToBf16(-256))).toBe(-256);
  });
});
