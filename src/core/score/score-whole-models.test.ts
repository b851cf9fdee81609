// Whole-network oracle checks: PyramidNet (A_wrn_style / B_full_inference) and WRN-28-10.
import { describe, expect, it } from 'vitest';
import { countParams } from '../graph/params';
import { buildPyramidNet } from '../models/pyramidnet';
import { buildWideResNet } from '../models/wrn.test-helpers';
import { COUNTING_CONVENTIONS } from './conventions';
import { buildScoreTable } from './score-table';
import { scoreNetwork, type ScoreResult } from './score-network';
import { loadCountingOracle, relClose, type Json } from './oracle.test-helpers';

const oracle = loadCountingOracle();
const DENSE32 = { freebie: false } as const;

function expectTotals(r: ScoreResult, want: Json): void {
  expect(r.storageBits).toBe(want.param_bits_total);
  expect(r.params32).toBe(want.params_32bit_equiv);
  expect(r.mults).toBe(want.raw_mults);
  expect(r.adds).toBe(want.raw_adds);
  expect(r.ops).toBe(want.weighted_ops);
  if (want.score !== undefined) expect(relClose(r.score, want.score)).toBe(true);
}

/** Oracle per-layer rows vs ours, by name, in order. */
function expectRows(r: ScoreResult, rows: Json[]): void {
  expect(r.layers.map((l) => l.name)).toEqual(rows.map((x: Json) => x.name));
  r.layers.forEach((l, i) => {
    const w = rows[i];
    expect([l.name, l.storageBits, l.mults, l.adds]).toEqual([
      w.name,
      w.param_bits,
      w.raw_mults,
      w.raw_adds,
    ]);
  });
}

const NETS = [
  ['bottleneck_d11_a48', { depth: 11, alpha: 48, bottleneck: true }],
  ['basic_d8_a48', { depth: 8, alpha: 48, bottleneck: false }],
  ['pyramidnet272_a200_bottleneck', { depth: 272, alpha: 200, bottleneck: true }],
  ['pyramidnet110_a48_basic', { depth: 110, alpha: 48, bottleneck: false }],
] as const;

describe('pyramidnet oracle (dense, 32/32/32)', () => {
  describe.each(NETS)('%s', (key, o) => {
    const graph = buildPyramidNet(o);
    const want = oracle.pyramidnet[key];

    it('A_wrn_style: convs + pools + adds + FC', () => {
      const r = scoreNetwork(buildScoreTable(graph, COUNTING_CONVENTIONS.wrnStyle), DENSE32);
      expectTotals(r, want.A_wrn_style);
      if (want.A_wrn_style.per_layer) expectRows(r, want.A_wrn_style.per_layer);
    });

    it('B_full_inference: BN folded (affine where unfoldable), ReLU counted', () => {
      const r = scoreNetwork(buildScoreTable(graph), DENSE32);
      expectTotals(r, want.B_full_inference);
      if (want.B_full_inference.per_layer) expectRows(r, want.B_full_inference.per_layer);
    });
  });
});

describe('sanity: WRN-28-10 is the 36.5M / 10.49B baseline', () => {
  const graph = buildWideResNet({ depth: 28, widen: 10 });
  it('has 36,536,884 trainable parameters (BN included)', () => {
    expect(countParams(graph)).toBe(36_536_884);
  });
  it('counts 36,518,932 params and 10,485,363,712 ops; scores ≈ 2', () => {
    const r = scoreNetwork(buildScoreTable(graph, COUNTING_CONVENTIONS.wrnStyle), DENSE32);
    expectTotals(r, oracle.sanity_whole_models.wrn_28_10);
    expect(r.score).toBeCloseTo(2.0, 2);
  });
});
