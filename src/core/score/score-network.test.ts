// Hand-counted tiny network: bits, freebie, sparsity, BN folding, seed profile, early exit.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../graph/ir';
import { GraphBuilder } from '../models/graph-builder';
import { BASELINE_OPS, BASELINE_PARAMS } from './op-counts';
import { buildScoreTable } from './score-table';
import { CHANNEL_EXPONENT_BITS, scoreNetwork } from './score-network';

/**
 * input 4×4×2 → conv1 3×3 2→4 (pad 1) → bn1 → relu1 ─┬→ conv2 1×1 4→4 → bn2 → add → gap → fc 4→3
 *                                                    └───────────────────────→ add
 * Optional exit head on relu1: gap → fc 4→3 (bias).
 * Official, BN folded, dense, per image:
 *   conv1 params 72 + 4 bias; mults 18·64 + 64 (ReLU) = 1216; adds 17·64 + 64 = 1152
 *   conv2 params 16 + 4;      mults 4·64 = 256;              adds 3·64 + 64 = 256
 *   add 64 adds · gap 4 mults, 15·4 = 60 adds · fc params 12 + 3, mults 12, adds 2·3 + 3 = 12
 *   total params 111, mults 1488, adds 1544.
 */
function tinyNet(withExit = false): Graph {
  const b = new GraphBuilder();
  const x = b.input(4, 2);
  const r1 = b.relu('relu1', b.bn('bn1', b.conv('conv1', x, { in: 2, out: 4, k: 3 }), 4));
  const y = b.bn('bn2', b.conv('conv2', r1, { in: 4, out: 4, k: 1 }), 4);
  const logits = b.head('gap', 'fc', b.add('add', { op: 'add' }, [y, r1]), 4, 3);
  const exit = withExit ? b.head('exit_gap', 'exit_fc', r1, 4, 3) : '';
  const g = b.build('tiny-score', 3, logits);
  return withExit ? { ...g, extraOutputs: { exit } } : g;
}

const table = buildScoreTable(tinyNet());
const score = (p32: number, ops: number) => p32 / BASELINE_PARAMS + ops / BASELINE_OPS;

describe('tiny net, official profile', () => {
  it('32-bit dense (freebie off): 111 params, 1488 mults, 1544 adds', () => {
    const r = scoreNetwork(table, { freebie: false });
    expect([r.params32, r.mults, r.adds, r.ops]).toEqual([111, 1488, 1544, 3032]);
    expect(r.score).toBe(score(111, 3032));
    expect(r.layers.map((l) => [l.name, l.params, l.mults, l.adds])).toEqual([
      ['conv1', 76, 1216, 1152],
      ['conv2', 20, 256, 256],
      ['add', 0, 0, 64],
      ['gap', 0, 4, 60],
      ['fc', 15, 12, 12],
    ]);
    expect(r.layers.reduce((s, l) => s + l.share, 0)).toBeCloseTo(1, 12);
  });

  it('empty recipe = the network as it is: 16-bit freebie (params, mults 16; adds 32)', () => {
    const r = scoreNetwork(table);
    expect(r.freebie).toBe(true);
    expect([r.params32, r.ops, r.quantScales]).toEqual([55.5, 1488 / 2 + 1544, 0]);
    expect(scoreNetwork(table, { weightBits: 16, activationBits: 16 }).score).toBe(r.score);
  });

  it('8/8 bits: no freebie, mults at 8, adds at 32, one 32-bit scale per quantized tensor', () => {
    const r = scoreNetwork(table, { weightBits: 8, activationBits: 8 });
    expect(r.freebie).toBe(false);
    expect(r.quantScales).toBe(6);
    expect(r.storageBits).toBe(111 * 8 + 6 * 32);
    expect(r.ops).toBe((1484 * 8) / 32 + (4 * 8) / 32 + 1544);
  });

  it('weights 8 bit, activations unquantized: mults at max(8, 32) = 32', () => {
    const r = scoreNetwork(table, { weightBits: 8 });
    expect([r.storageBits, r.quantScales, r.ops]).toEqual([111 * 8 + 3 * 32, 3, 3032]);
  });

  it('one layer below 16 bits removes the freebie everywhere', () => {
    const r = scoreNetwork(table, { layerBits: { conv2: { weight: 8, activation: 8 } } });
    expect(r.freebie).toBe(false);
    const conv2 = r.layers.find((l) => l.name === 'conv2')!;
    expect([conv2.paramBits, conv2.multBits, conv2.storageBits]).toEqual([8, 8, 20 * 8 + 64]);
    expect(r.layers.find((l) => l.name === 'conv1')!.paramBits).toBe(32);
  });

  it('freebie: false counts unquantized values at 32 bits; 16-bit then pays scales', () => {
    expect(scoreNetwork(table, { freebie: false }).storageBits).toBe(111 * 32);
    const r = scoreNetwork(table, { weightBits: 16, activationBits: 16, freebie: false });
    expect([r.storageBits, r.quantScales]).toEqual([111 * 16 + 6 * 32, 6]);
  });

  it('sparsity: nonzeros + 1-bit mask, fewer mults and adds', () => {
    const r = scoreNetwork(table, { freebie: false }, { layerZeroFraction: { conv1: 0.5 } });
    const c = r.layers[0]!;
    expect([c.sparsity, c.storageBits, c.mults, c.adds]).toEqual([0.5, 1352, 640, 576]);
    const t = scoreNetwork(
      table,
      { freebie: false, layerSparsity: { conv1: 0.25 } },
      {
        layerZeroFraction: { conv1: 0.5 },
      },
    );
    expect(t.layers[0]!.sparsity).toBe(0.5); // a target below the existing zeros changes nothing
    // A global threshold needs the caller's per-layer map (here conv1, fc) or a layer target.
    const ctx = { layerSparsity: { conv1: 0.75, fc: 0.1 }, layerZeroFraction: { conv1: 0.5 } };
    const g = scoreNetwork(table, { sparsity: 0.3, layerSparsity: { conv2: 0.2 } }, ctx);
    expect(g.layers.map((l) => l.sparsity)).toEqual([0.75, 0.2, 0, 0, 0.1]);
  });

  it('foldBN: false counts each BN as an affine (2C params, 1 mult + 1 add per element)', () => {
    const r = scoreNetwork(table, { freebie: false, foldBN: false });
    expect([r.params32, r.mults, r.adds]).toEqual([119, 1616, 1544]);
    expect(r.layers.map((l) => l.name)).toEqual([
      'conv1',
      'bn1',
      'conv2',
      'bn2',
      'add',
      'gap',
      'fc',
    ]);
  });
});

describe('tiny net, per-channel exponents (8-bit stored exponents)', () => {
  it('8/8 per channel: c_out exponents per quantized weight and per bias, ops unchanged', () => {
    const perTensor = scoreNetwork(table, { weightBits: 8, activationBits: 8 });
    const r = scoreNetwork(table, {
      weightBits: 8,
      activationBits: 8,
      weightGranularity: 'channel',
    });
    // conv1 4 + 4 (folded bias), conv2 4 + 4, fc 3 + 3 (own bias) = 22 exponents
    expect(r.channelExponents).toBe(22);
    expect(r.storageBits).toBe(111 * 8 + 6 * 32 + 22 * 8);
    expect(r.storageBits - perTensor.storageBits).toBe(22 * CHANNEL_EXPONENT_BITS);
    expect(r.ops).toBe(perTensor.ops); // requantization is counted for neither granularity
    expect(r.layers.map((l) => l.storageBits)).toEqual([
      76 * 8 + 2 * 32 + 8 * 8, // conv1
      20 * 8 + 2 * 32 + 8 * 8, // conv2
      0, // add
      0, // gap
      15 * 8 + 2 * 32 + 6 * 8, // fc
    ]);
  });

  it('an activation zero point is one more stored value per quantized layer input', () => {
    const base = { weightBits: 8, activationBits: 8, quantMethod: 'mse' as const };
    const r = scoreNetwork(table, { ...base, activationZeroPoint: true });
    expect(r.quantScales).toBe(9); // 3 weight scales + 3 × (exponent + zero point)
    expect(r.storageBits - scoreNetwork(table, base).storageBits).toBe(3 * 32);
  });

  it('unfolded BN: 2C exponents per affine; unquantized layers and the freebie store none', () => {
    const r = scoreNetwork(table, { weightBits: 6, foldBN: false, weightGranularity: 'channel' });
    // conv1 4 (no bias), bn1 8, conv2 4, bn2 8, fc 3 + 3
    expect(r.channelExponents).toBe(30);
    const mixed = { weightBits: 6, weightGranularity: 'channel' as const };
    const some = scoreNetwork(table, { ...mixed, layerBits: { fc: { weight: 32 } } });
    expect(some.channelExponents).toBe(16);
    expect(scoreNetwork(table, { weightGranularity: 'channel' }).channelExponents).toBe(0);
  });
});

describe('tiny net, seed profile (mhariat/MicroNet Test/main.py)', () => {
  it('9-bit weights, 12-bit mults: mask on every parameter, BN unmerged, residual add dropped', () => {
    const r = scoreNetwork(table, { countingProfile: 'seed', weightBits: 9, activationBits: 12 });
    expect(r.foldBN).toBe(false);
    // (nnz·9 + n) per tensor: conv1 72·10, bn1 8·10, conv2 16·10, bn2 8·10, fc 15·10.
    expect(r.storageBits).toBe(1190);
    expect(r.mults).toBe(1616);
    expect(r.adds).toBe(1480);
    expect(r.ops).toBe((1616 * 12) / 32 + 1480);
  });

  it('freebie: everything 16-bit, mask still counted', () => {
    const r = scoreNetwork(table, { countingProfile: 'seed' });
    expect(r.freebie).toBe(true);
    expect(r.storageBits).toBe(119 * 17);
  });
});

describe('early exit', () => {
  const exitTable = buildScoreTable(tinyNet(true));
  it('without an exit rate the exit head is not counted', () => {
    const r = scoreNetwork(exitTable, { freebie: false });
    expect([r.params32, r.ops, r.exitRate, r.paths.exit]).toEqual([111, 3032, null, null]);
  });
  it('expected ops = f·exit path + (1 − f)·full path; the exit head runs for every image', () => {
    const r = scoreNetwork(exitTable, { freebie: false }, { exitRate: 0.25 });
    expect(r.params32).toBe(126);
    expect(r.paths.exit!.ops).toBe(2368 + 88);
    expect(r.paths.full.ops).toBe(3032 + 88);
    expect(r.ops).toBe(0.25 * 2456 + 0.75 * 3120);
    const conv2 = r.layers.find((l) => l.name === 'conv2')!;
    expect([conv2.path, conv2.ops]).toEqual(['main', 0.75 * 512]);
    expect(r.layers.find((l) => l.name === 'exit_fc')!.path).toBe('exit-head');
  });
  it('an exit blend costs 3K mults + 2K − 1 adds (K = 3 classes) per image that stays', () => {
    const plain = scoreNetwork(exitTable, { freebie: false }, { exitRate: 0.25 });
    const r = scoreNetwork(exitTable, { freebie: false, exitBlend: 0.5 }, { exitRate: 0.25 });
    expect(r.paths.full.mults - plain.paths.full.mults).toBe(9);
    expect(r.paths.full.adds - plain.paths.full.adds).toBe(5);
    expect(r.ops - plain.ops).toBeCloseTo(0.75 * 14, 9);
    expect(r.paths.exit!.ops).toBe(plain.paths.exit!.ops);
    expect(r.score - plain.score).toBeCloseTo((0.75 * 14) / BASELINE_OPS, 15);
    const zero = scoreNetwork(exitTable, { freebie: false, exitBlend: 0 }, { exitRate: 0.25 });
    expect(zero.ops).toBe(plain.ops);
  });
});

describe('fail-fast errors', () => {
  it('names the bad recipe field', () => {
    expect(() => scoreNetwork(table, { weightBits: 40 })).toThrow(
      'recipe.weightBits must be an integer in 2–16 or 32, got 40',
    );
  });
  it('rejects unknown layers, global sparsity without a per-layer map, and a missing exit', () => {
    expect(() => scoreNetwork(table, { layerBits: { conv9: { weight: 8 } } })).toThrow(/conv9/);
    expect(() => scoreNetwork(table, {}, { layerZeroFraction: { bn1: 0.1 } })).toThrow(/bn1/);
    expect(() => scoreNetwork(table, { sparsity: 0.5 })).toThrow(/context\.layerSparsity.*conv1/);
    expect(() => scoreNetwork(table, {}, { exitRate: 0.3 })).toThrow(/no early-exit/);
    expect(() => scoreNetwork(table, {}, { layerSparsity: { conv1: 2 } })).toThrow(/got 2/);
  });
});
