// Refusals: every single-byte flip of the header region and of sampled payload / CRC bytes,
// every truncation of a small file, foreign files (a safetensors checkpoint, random bytes, empty,
// the magic followed by garbage) and forged files with a valid checksum but a wrong shape, a
// missing parameter, a mask that disagrees with its count or an unknown version all throw a
// CompressedFormatError naming the file; writeCompressed refuses values it cannot store exactly.
import { describe, expect, it } from 'vitest';
import { compressedData } from '../../compress/compressed-model';
import { randomBnNetwork, tinyGraph } from '../../compress/quant/nets.test-helpers';
import { makeRng } from '../../util/rng';
import { writeLabCheckpoint } from '../lab-checkpoint';
import { compressWith, rewriteHeader } from './compressed.test-helpers';
import {
  CompressedFormatError,
  FIXED_HEADER_BYTES,
  isCompressedCheckpoint,
  readCompressed,
  writeCompressed,
  type CompressedModelData,
} from './index';

/** A small 4-bit, 50 %-sparse tiny net (a few KB) and its data. */
async function smallFile(): Promise<{ data: CompressedModelData; bytes: Uint8Array }> {
  const net = randomBnNetwork(tinyGraph(4), 8);
  const recipe = { weightBits: 4, activationBits: 8, sparsity: 0.5 };
  const c = await compressWith(net, recipe);
  const data = compressedData(c, recipe, {});
  c.dispose();
  net.dispose();
  return { data, bytes: writeCompressed(data) };
}

function refusal(bytes: Uint8Array): CompressedFormatError | undefined {
  try {
    readCompressed(bytes, 'bad.mnlc');
  } catch (e) {
    if (e instanceof CompressedFormatError && e.message.startsWith('bad.mnlc: ')) return e;
    throw new Error(`not a CompressedFormatError naming the file: ${String(e)}`);
  }
  return undefined;
}

describe('readCompressed refuses damaged and foreign files', () => {
  it('every byte flip in the header region, sampled payload and CRC flips', async () => {
    const { bytes } = await smallFile();
    const headerEnd = FIXED_HEADER_BYTES + new DataView(bytes.buffer).getUint32(12, true);
    const rng = makeRng(1);
    const positions = [
      ...Array.from({ length: headerEnd }, (_, i) => i),
      ...Array.from(
        { length: 40 },
        () => headerEnd + Math.floor(rng() * (bytes.length - 4 - headerEnd)),
      ),
      ...[1, 2, 3, 4].map((k) => bytes.length - k),
    ];
    let refused = 0;
    for (const at of positions) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = bytes.slice();
        bad[at]! ^= mask;
        expect(refusal(bad), `flip 0x${mask.toString(16)} at byte ${at}`).toBeDefined();
        refused++;
      }
    }
    console.log(
      `[compressed errors] ${bytes.length}-byte file, header region ${headerEnd} B: ${refused} flips refused`,
    );
    expect(refusal(bytes)).toBeUndefined();
  });

  it('every truncation', async () => {
    const { bytes } = await smallFile();
    for (let n = 0; n < bytes.length; n++) {
      const e = refusal(bytes.subarray(0, n));
      expect(e, `prefix of ${n} bytes`).toBeDefined();
      if (n >= 4) expect(e!.message).toMatch(/truncated/);
    }
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(refusal(longer)!.message).toMatch(/records \d+ bytes but has \d+ \(trailing/);
  });

  it('foreign files: safetensors, random, empty, magic + garbage', async () => {
    const { data } = await smallFile();
    const st = writeLabCheckpoint(data.graph, data.weights, {});
    expect(isCompressedCheckpoint(st)).toBe(false);
    expect(refusal(st)!.message).toMatch(
      /not a MicroNet Lab compressed checkpoint \(first bytes [0-9a-f ]+, expected "MNLC"\)/,
    );
    const rng = makeRng(2);
    const random = Uint8Array.from({ length: 5000 }, () => Math.floor(rng() * 256));
    expect(refusal(random)!.message).toMatch(/not a MicroNet Lab compressed checkpoint/);
    expect(refusal(new Uint8Array(0))!.message).toMatch(/first bytes none/);
    const garbage = random.slice();
    garbage.set([0x4d, 0x4e, 0x4c, 0x43, 1, 0, 0, 0]);
    new DataView(garbage.buffer).setUint32(8, garbage.length, true);
    expect(isCompressedCheckpoint(garbage)).toBe(true);
    expect(refusal(garbage)!.message).toMatch(/header length|header size|checksum mismatch/);
  });

  it('forged files with a valid checksum: wrong shape, missing tensor, bad mask count, version', async () => {
    const { bytes } = await smallFile();
    type Row = [string, number[], string, string, number, number | null, number, number];
    const rows = (h: Record<string, unknown>) => h.tensors as Row[];
    const cases: [string, (h: Record<string, unknown>) => void, RegExp][] = [
      [
        'shape',
        (h) => {
          rows(h)[0]![1] = [3, 3, 16, 3]; // same size, other shape
        },
        /tensor 'conv1.weight' has shape \[3,3,16,3\], the graph says \[3,3,3,16\]/,
      ],
      ['missing', (h) => void rows(h).splice(1, 1), /is not stored|payload is \d+ bytes/],
      ['version', (h) => void (h.version = 2), /header version 2/],
      [
        'recipe',
        (h) => void (h.recipe = { weightBits: 40 }),
        /header recipe: recipe.weightBits must be/,
      ],
      ['graph', (h) => void ((h.graph as { nodes: unknown[] }).nodes = []), /header graph:/],
      [
        'bytes',
        (h) => {
          rows(h)[0]![7] += 1;
        },
        /payload bytes, expected/,
      ],
      [
        'sparse bias',
        (h) => {
          const bias = rows(h).find((r) => r[0].endsWith('.bias'))!;
          bias[2] = 'sparse';
          bias[7] += Math.ceil(bias[1].reduce((a, b) => a * b, 1) / 8); // + its mask bytes
        },
        /is stored sparse, but only conv\/dense weights may be/,
      ],
    ];
    for (const [what, mutate, re] of cases) {
      expect(refusal(rewriteHeader(bytes, mutate))?.message, what).toMatch(re);
    }
    // a sparse tensor whose mask keeps one value fewer than its count (first mask byte cleared)
    const sparseAt = (h: Record<string, unknown>) => {
      let off = 0;
      for (const r of rows(h)) {
        if (r[2] === 'sparse') return off;
        off += r[7];
      }
      throw new Error('no sparse tensor');
    };
    let off = 0;
    rewriteHeader(bytes, (h) => void (off = sparseAt(h)));
    const bad = rewriteHeader(
      bytes,
      () => {},
      (p) => {
        p[off] = 0;
        return p;
      },
    );
    expect(refusal(bad)?.message).toMatch(/mask keeps \d+ values, the table says \d+/);
    // a header size no deflate stream of that length can produce (would be a huge allocation)
    const big = bytes.slice();
    const view = new DataView(big.buffer);
    view.setUint32(16, 1032 * view.getUint32(12, true) + 65, true);
    expect(refusal(big)?.message).toMatch(
      /header size \d+ is more than \d+ deflated bytes can hold/,
    );
  });
});

describe('writeCompressed refuses what it cannot store exactly', () => {
  it('off-grid values, float32 under the freebie, nonzero pruned entries', async () => {
    const { data } = await smallFile();
    const off = new Map(data.weights);
    const w = data.weights.get('conv1.weight')!;
    const d = w.data.slice();
    const i = d.findIndex((v) => v !== 0);
    d[i] = d[i]! + 2 ** -(data.weightQuant['conv1.weight']!.bp + 3);
    off.set('conv1.weight', { shape: w.shape, data: d });
    expect(() => writeCompressed({ ...data, weights: off })).toThrow(
      /'conv1.weight': value .* is not k·2\^−\d+/,
    );
    const third = new Map(data.weights).set('conv1.weight', {
      shape: w.shape,
      data: w.data.map((v) => (v === 0 ? 0 : 1 / 3)),
    });
    const half = { ...data, weights: third, weightQuant: {}, activationQuant: {}, recipe: {} };
    expect(() => writeCompressed(half)).toThrow(/'conv1.weight': value 0.3333.* is not a float16/);
    expect(() => writeCompressed({ ...half, recipe: { freebie: false } })).not.toThrow();
    const m = data.masks!['conv2.weight']!.slice();
    const pruned = data.weights
      .get('conv2.weight')!
      .data.findIndex((v, j) => v !== 0 && m[j] === 1);
    m[pruned] = 0;
    expect(() => writeCompressed({ ...data, masks: { ...data.masks, 'conv2.weight': m } })).toThrow(
      /at pruned index \d+ \(mask 0\) is not 0/,
    );
  });
});
