import { describe, expect, it } from 'vitest';
import { RecordAssembler, imageAt, parseRecords, sliceSplit } from './cifar-records';
import { COARSE_LABEL_NAMES, FINE_LABEL_NAMES, parseLabelNames } from './label-names';
import { makeBin, sameBytes } from './fixtures.test-helpers';
import { DataError } from './types';

describe('parseRecords', () => {
  it('splits labels and CHW pixels of hand-built records', () => {
    const bin = new Uint8Array(2 * 3074);
    bin[0] = 3; // coarse of record 0
    bin[1] = 42; // fine of record 0
    bin[2] = 7; // R(0,0)
    bin[2 + 1023] = 8; // R(31,31)
    bin[2 + 1024] = 9; // G(0,0)
    bin[2 + 2048 + 33] = 10; // B(1,1)
    bin[3074] = 19;
    bin[3075] = 99;
    bin[3074 + 2 + 3071] = 255; // last byte of the file
    const s = parseRecords(bin, 'x.bin');
    expect(s.count).toBe(2);
    expect(Array.from(s.coarse)).toEqual([3, 19]);
    expect(Array.from(s.fine)).toEqual([42, 99]);
    expect(s.images.length).toBe(2 * 3072);
    const im0 = imageAt(s, 0);
    expect([im0[0], im0[1023], im0[1024], im0[2048 + 33]]).toEqual([7, 8, 9, 10]);
    expect(imageAt(s, 1)[3071]).toBe(255);
  });

  it('rejects a length that is not a multiple of 3074, naming file and length', () => {
    expect(() => parseRecords(new Uint8Array(3075), 'train.bin')).toThrow(
      'train.bin: 3075 bytes is not a whole number of 3074-byte CIFAR-100 records (1 records + 1 bytes)',
    );
    expect(() => parseRecords(new Uint8Array(3075), 'train.bin')).toThrow(DataError);
  });

  it('rejects labels out of range, naming record index and value', () => {
    const bad = makeBin(5, (r) => (r === 3 ? [20, 1] : [0, 1]));
    expect(() => parseRecords(bad, 'test.bin')).toThrow(
      'test.bin: record 3 has coarse label 20, expected 0–19',
    );
    const badFine = makeBin(5, (r) => (r === 4 ? [0, 100] : [0, 1]));
    expect(() => parseRecords(badFine, 'test.bin')).toThrow(
      'test.bin: record 4 has fine label 100, expected 0–99',
    );
  });

  it('rejects an empty file', () => {
    expect(() => parseRecords(new Uint8Array(0), 'e.bin')).toThrow('e.bin: no records');
  });
});

describe('RecordAssembler', () => {
  const bin = makeBin(7);
  const whole = parseRecords(bin, 'w');

  it.each([1, 2, 3, 1000, 3074, 3075, 6147, 65536])(
    'gives the same split for chunks of %i bytes (known and unknown length)',
    (size) => {
      for (const expected of [bin.length, null]) {
        const asm = new RecordAssembler('c.bin', expected);
        for (let o = 0; o < bin.length; o += size) asm.push(bin.subarray(o, o + size));
        const s = asm.finish();
        expect(s.count).toBe(7);
        expect(sameBytes(s.images, whole.images)).toBe(true);
        expect(sameBytes(s.fine, whole.fine)).toBe(true);
        expect(sameBytes(s.coarse, whole.coarse)).toBe(true);
      }
    },
  );

  it('reports a label error split across chunks with its record index', () => {
    const bad = makeBin(3, (r) => (r === 2 ? [1, 200] : [1, 1]));
    const asm = new RecordAssembler('s.bin', null);
    expect(() => {
      for (let o = 0; o < bad.length; o++) asm.push(bad.subarray(o, o + 1));
    }).toThrow('s.bin: record 2 has fine label 200');
  });

  it('fails when the stream ends early or runs long against the expected size', () => {
    const short = new RecordAssembler('t.bin', 2 * 3074);
    short.push(bin.subarray(0, 3074));
    expect(() => short.finish()).toThrow('t.bin: expected 6148 bytes, got 3074');
    const partial = new RecordAssembler('p.bin', null);
    partial.push(bin.subarray(0, 3074 + 10));
    expect(() => partial.finish()).toThrow('p.bin: 3084 bytes is not a whole number');
    const long = new RecordAssembler('l.bin', 3074);
    expect(() => long.push(bin.subarray(0, 2 * 3074))).toThrow('l.bin: more than the expected');
  });
});

describe('sliceSplit', () => {
  it('copies a record range', () => {
    const s = parseRecords(makeBin(10), 'x');
    const part = sliceSplit(s, 4, 3);
    expect(part.count).toBe(3);
    expect(Array.from(part.fine)).toEqual([4, 5, 6]);
    expect(part.images[0]).toBe(4); // pixel 0 of record 4 = (4 + 0) & 255
    expect(() => sliceSplit(s, 8, 3)).toThrow('slice [8, 11) is outside 0…10');
  });
});

describe('label names', () => {
  it('parses one name per line, dropping blanks and CR', () => {
    expect(parseLabelNames('apple\r\naquarium_fish\n\n baby \n')).toEqual([
      'apple',
      'aquarium_fish',
      'baby',
    ]);
  });

  it('ships the 100 fine and 20 coarse official names', () => {
    expect(FINE_LABEL_NAMES).toHaveLength(100);
    expect(COARSE_LABEL_NAMES).toHaveLength(20);
    expect([FINE_LABEL_NAMES[0], FINE_LABEL_NAMES[99]]).toEqual(['apple', 'worm']);
    expect([COARSE_LABEL_NAMES[0], COARSE_LABEL_NAMES[19]]).toEqual([
      'aquatic_mammals',
      'vehicles_2',
    ]);
    expect(new Set(FINE_LABEL_NAMES).size).toBe(100);
  });
});
