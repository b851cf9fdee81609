import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  PickleError,
  PyDict,
  PyGlobal,
  PySet,
  PyTuple,
  type AllowedGlobal,
  type PyValue,
} from './pickle-values';
import { unpickle, type UnpickleOptions } from './pickle-vm';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as {
  roundtrip: Record<string, unknown>;
};

/** Pickle bytes from parts: numbers are bytes, strings are Latin-1 characters. */
function b(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return new Uint8Array(out);
}
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const u64 = (n: number) => [...u32(n), 0, 0, 0, 0];
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const binunicode = (s: string) => ['X', u32(utf8(s).length), utf8(s)] as const;

const NONE: UnpickleOptions = { allowList: new Map() };
const load = (bytes: Uint8Array, opts: UnpickleOptions = NONE) => unpickle(bytes, opts).value;

/** Canonical form, mirroring plain() in fixtures/generate-fixtures.py. */
function toPlain(v: PyValue): unknown {
  if (typeof v === 'bigint') return { int: v.toString() };
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof PyTuple) return { tuple: v.items.map(toPlain) };
  if (v instanceof PyDict) return { dict: [...v.map].map(([k, x]) => [toPlain(k), toPlain(x)]) };
  if (v instanceof PySet) return { [v.frozen ? 'frozenset' : 'set']: v.items.map(toPlain) };
  return v;
}

describe('pickle VM: Python-generated pickles, protocols 0–5', () => {
  for (const [file, expected] of Object.entries(manifest.roundtrip)) {
    it(`${file} equals what Python pickled`, () => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(FIXTURES, file)));
      const res = unpickle(bytes, NONE);
      expect(res.end).toBe(bytes.length);
      expect(toPlain(res.value)).toEqual(expected);
    });
  }

  it('keeps memo sharing: one list object referenced twice', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'sample-p2.pkl')));
    const shared = (load(bytes) as PyDict).map.get('shared') as PyValue[][];
    expect(shared[0]).toBe(shared[1]);
  });
});

describe('pickle VM: hand-written opcodes', () => {
  it('protocol 0 text opcodes: INT, LONG, FLOAT, STRING, UNICODE, LIST, DICT, PUT/GET', () => {
    // prettier-ignore
    const v = load(b(
      '(lp0\n',
      'I-7\naI01\naI00\naL12345678901234567890L\naF-1.25e-3\na',
      "S'a\\x00\\'b'\na",
      'Vh\\u00e9\\U0001f600\na',
      '(dp1\nS"k"\nNsag1\na.',
    )) as PyValue[];
    expect(v.slice(0, 7)).toEqual([
      -7,
      true,
      false,
      12345678901234567890n,
      -1.25e-3,
      "a\0'b",
      'hé😀',
    ]);
    const d = v[7] as PyDict;
    expect([...d.map]).toEqual([['k', null]]);
    expect(v[8]).toBe(d); // GET 1: the same dict object
  });

  it('binary ints, floats and constants', () => {
    // prettier-ignore
    const v = load(b(
      0x80, 2, ']', '(',
      'J', u32(-5 >>> 0), 'K', 255, 'M', 0xff, 0xff,
      0x8a, 1, 0xff, // LONG1 -1
      0x8a, 9, [0, 0, 0, 0, 0, 0, 0, 0x80, 0], // LONG1 2^63
      0x8a, 0, // LONG1 0
      0x8b, u32(2), [0x00, 0x80], // LONG4 -32768
      'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], // BINFLOAT 1.5 (big-endian)
      'N', 0x88, 0x89,
      'e.',
    ));
    expect(v).toEqual([-5, 255, 65535, -1, 2n ** 63n, 0, -32768, 1.5, null, true, false]);
  });

  it('strings, bytes, frames and MEMOIZE (protocol 4/5)', () => {
    // prettier-ignore
    const v = load(b(
      0x80, 5, 0x95, u64(0), // FRAME of length 0 is fine: framing is advisory
      '(',
      0x8c, 2, 'hi', 0x94, // SHORT_BINUNICODE + MEMOIZE → memo 0
      0x8d, u64(3), utf8('日'), // BINUNICODE8
      ...binunicode('ü'),
      'U', 2, 'ab', 'T', u32(1), 'c', // SHORT_BINSTRING, BINSTRING
      'C', 2, [0, 255], 'B', u32(1), [7], 0x8e, u64(1), [9], 0x96, u64(2), [1, 2], 0x98,
      'h', 0, 'j', u32(0), // BINGET / LONG_BINGET memo 0
      'l.', // LIST
    )) as PyValue[];
    expect(v).toEqual(['hi', '日', 'ü', 'ab', 'c', b(0, 255), b(7), b(9), b(1, 2), 'hi', 'hi']);
  });

  it('tuples, lists, dicts, sets, POP, POP_MARK, DUP', () => {
    // prettier-ignore
    const v = load(b(
      0x80, 4, '(',
      ')', 'K', 1, 0x85, 'K', 1, 'K', 2, 0x86, 'K', 1, 'K', 2, 'K', 3, 0x87,
      '(', 'K', 1, 'K', 2, 'K', 3, 'K', 4, 't',
      ']', 'K', 1, 'a', // APPEND
      '}', 'K', 1, 'K', 2, 's', '(', 'K', 3, 'K', 4, 'u', // SETITEM(S)
      0x8f, '(', 'K', 5, 0x90, // EMPTY_SET + ADDITEMS
      '(', 'K', 6, 0x91, // FROZENSET
      'K', 9, '0', // POP
      '(', 'K', 9, 'K', 9, '1', // POP_MARK
      'K', 8, '2', // DUP
      'l.',
    )) as PyValue[];
    expect(toPlain(v)).toEqual([
      { tuple: [] },
      { tuple: [1] },
      { tuple: [1, 2] },
      { tuple: [1, 2, 3] },
      { tuple: [1, 2, 3, 4] },
      [1],
      {
        dict: [
          [1, 2],
          [3, 4],
        ],
      },
      { set: [5] },
      { frozenset: [6] },
      8,
      8,
    ]);
  });

  it('calls only allow-listed callables: GLOBAL/STACK_GLOBAL + REDUCE, NEWOBJ, INST, OBJ', () => {
    const make = vi.fn((args: readonly PyValue[]) => ({ pyType: 'point', args }) as PyValue);
    const allowList = new Map<string, AllowedGlobal>([['geo.Point', { call: make }]]);
    // prettier-ignore
    const v = load(b(
      0x80, 4, '(',
      'c', 'geo\nPoint\n', 'K', 1, 0x85, 'R',
      0x8c, 3, 'geo', 0x8c, 5, 'Point', 0x93, 'K', 2, 0x85, 0x81,
      '(', 'K', 3, 'i', 'geo\nPoint\n',
      '(', 'c', 'geo\nPoint\n', 'K', 4, 'o',
      'l.',
    ), { allowList }) as unknown as { args: number[] }[];
    expect(v.map((p) => p.args)).toEqual([[1], [2], [3], [4]]);
    expect(make).toHaveBeenCalledTimes(4);
  });

  it('BUILD sets attributes on a dict and defers opaque objects to the host', () => {
    const d = load(b(0x80, 2, '}', '}', ...binunicode('_metadata'), 'K', 1, 's', 'b.')) as PyDict;
    expect(d.attrs.get('_metadata')).toBe(1);
    const build = vi.fn();
    const allowList = new Map<string, AllowedGlobal>([['m.T', { call: () => ({ pyType: 't' }) }]]);
    load(b(0x80, 2, 'cm\nT\n', ')', 'R', 'K', 5, 'b.'), { allowList, build });
    expect(build).toHaveBeenCalledWith({ pyType: 't' }, 5);
  });

  it('routes PERSID / BINPERSID to persistentLoad', () => {
    const persistentLoad = vi.fn((pid: PyValue) => ({ pyType: 'ref', pid }) as PyValue);
    const v = load(b('(', 'Pkey1\n', 'K', 7, 0x85, 'Q', 'l.'), { ...NONE, persistentLoad });
    expect(v).toEqual([
      { pyType: 'ref', pid: 'key1' },
      { pyType: 'ref', pid: new PyTuple([7]) },
    ]);
  });

  it('reports the end offset, protocol and the globals used; reads consecutive pickles', () => {
    const allowList = new Map<string, AllowedGlobal>([['a.B', {}]]);
    const bytes = b(0x80, 2, 'K', 1, '.', 0x80, 3, 'ca\nB\n.');
    const first = unpickle(bytes, { allowList });
    expect(first).toMatchObject({ value: 1, end: 5, protocol: 2, globals: [] });
    const second = unpickle(bytes, { allowList }, first.end);
    expect(second.value).toBeInstanceOf(PyGlobal);
    expect(second).toMatchObject({ end: bytes.length, protocol: 3, globals: ['a.B'] });
  });
});

describe('pickle VM: malformed input', () => {
  // prettier-ignore
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', b(), /truncated pickle at byte 0: no STOP opcode/],
    ['no STOP', b(0x80, 2, 'K', 1), /truncated pickle at byte 4: no STOP/],
    ['BININT cut', b('J', 1, 2), /truncated pickle at byte 3: needs 4 bytes at byte 1 \[BININT at byte 0\]/],
    ['BINUNICODE length past end', b('X', u32(100), 'ab.'), /truncated pickle at byte 8: needs 100 bytes/],
    ['BINUNICODE8 absurd length', b(0x8d, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0], '.'), /truncated pickle/],
    ['FRAME past end', b(0x80, 4, 0x95, u64(50), 'N.'), /frame of 50 bytes runs past the end/],
    ['GLOBAL without newline', b('cos'), /truncated pickle at byte 3: no newline/],
    ['unknown opcode', b(0xff), /unknown opcode 0xff \[0xff at byte 0\]/],
    ['protocol 6', b(0x80, 6, 'N.'), /unsupported pickle protocol 6/],
    ['POP on an empty stack', b('0.'), /no MARK on the stack/],
    ['STOP on an empty stack', b('.'), /stack underflow \[STOP at byte 0\]/],
    ['TUPLE without MARK', b('K', 1, 't.'), /no MARK on the stack \[TUPLE at byte 2\]/],
    ['missing memo', b('h', 3, '.'), /memo key 3 is missing/],
    ['APPEND to a tuple', b(')', 'K', 1, 'a.'), /APPEND on tuple\[0\]/],
    ['SETITEM on a list', b(']', 'K', 1, 'K', 2, 's.'), /SETITEM on list\[0\]/],
    ['unhashable key', b('}', ']', 'K', 1, 's.'), /unsupported dict key list\[0\]/],
    ['odd SETITEMS', b('}', '(', 'K', 1, 'u.'), /odd number of items \(1\)/],
    ['invalid UTF-8', b('X', u32(1), 0xff, '.'), /not valid UTF-8/],
    ['bad INT text', b('I12x\n.'), /invalid integer literal "12x"/],
    ['huge LONG text', b('L', '9'.repeat(5000), '\n.'), /integer literal of 5000 digits exceeds 4300/],
    ['huge LONG4', b(0x8b, u32(100000), '.'), /LONG of 100000 bytes exceeds 4300/],
    ['negative BINSTRING', b('T', u32(0xffffffff), '.'), /negative BINSTRING length -1/],
    ['out-of-band buffer', b(0x80, 5, 0x97, '.'), /NEXT_BUFFER\) are not supported/],
    ['STACK_GLOBAL of non-strings', b('K', 1, 'K', 2, 0x93, '.'), /STACK_GLOBAL needs two strings, got int 1, int 2/],
    ['REDUCE args not a tuple', b('N', 'N', 'R.'), /REDUCE arguments must be a tuple, got None/],
  ];
  for (const [name, bytes, re] of cases) {
    it(name, () => {
      expect(() => load(bytes)).toThrow(PickleError);
      expect(() => load(bytes)).toThrow(re);
    });
  }

  it('prefixes the label', () => {
    expect(() => unpickle(b('K'), { ...NONE, label: 'x/data.pkl' })).toThrow(
      /^x\/data\.pkl: truncated pickle at byte 1: needs 1 bytes at byte 1 \[BININT1 at byte 0\]$/,
    );
  });
});
