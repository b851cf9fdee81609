// OSI-AI MicroNet oracle checks (micronet-counting.json → osi_ai_micronet) on the zoo graph.
import { describe, expect, it } from 'vitest';
import type { Weights } from '../graph/ir';
import { buildOsiMicronet } from '../models/osi-micronet';
import { osiWeights } from '../models/osi-micronet.test-helpers';
import { COUNTING_CONVENTIONS } from './conventions';
import { buildScoreTable, type ScoreTable } from './score-table';
import { scoreNetwork, type ScoreResult } from './score-network';
import { loadCountingOracle, relClose, type Json } from './oracle.test-helpers';

const osi = loadCountingOracle().osi_ai_micronet;
const graph = buildOsiMicronet();
const EXIT_RATE = 0.2929;
const DENSE32 = { freebie: false } as const;

/** Oracle row names that differ from the graph's node names. */
const ORACLE_NAME: Record<string, string> = {
  _avgpool: '_avg_pool',
  '_exit._avgpool': '_exit._avg_pool',
};
function oracleName(node: string): string {
  return (
    ORACLE_NAME[node] ?? node.replace(/\._se_mul$/, '._se_scale').replace(/\._add$/, '._skip_add')
  );
}

function expectPath(r: ScoreResult, want: Json): void {
  expect(r.storageBits).toBe(want.param_bits_total);
  expect(r.params32).toBe(want.params_32bit_equiv);
  expect(r.mults).toBe(want.raw_mults);
  expect(r.adds).toBe(want.raw_adds);
  expect(r.ops).toBe(want.weighted_ops);
}

/** Zero fraction of every prunable layer's weights, as imported. */
function zeroFractions(table: ScoreTable, weights: Weights): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of table.prunable.keys()) {
    const w = weights.get(`${name}.weight`);
    if (!w) throw new Error(`no weight for ${name}`);
    let zeros = 0;
    for (const v of w.data) if (v === 0) zeros++;
    out[name] = zeros / w.data.length;
  }
  return out;
}

describe('osi_ai_micronet.a0_readme_convention (README table)', () => {
  const table = buildScoreTable(graph, COUNTING_CONVENTIONS.osiReadme);
  it('main network: 470,776 params, 60,456,692 mults, 57,132,604 adds', () => {
    expectPath(scoreNetwork(table, DENSE32), osi.a0_readme_convention.main_network);
  });
  it('main + exit head: 491,436 params', () => {
    const r = scoreNetwork(table, DENSE32, { exitRate: 0 });
    expectPath(r, osi.a0_readme_convention.main_plus_exit);
  });
});

describe('osi_ai_micronet.a_official_dense_32bit', () => {
  const table = buildScoreTable(graph);
  const a = osi.a_official_dense_32bit;
  it('main network: 476,984 params, 60,456,692 mults, 58,230,372 adds', () => {
    const r = scoreNetwork(table, DENSE32);
    expectPath(r, a.main_network);
    expect(relClose(r.score, a.main_network.score_if_all_images_take_this_path)).toBe(true);
  });
  it('main + exit head, and every per-layer row', () => {
    const r = scoreNetwork(table, DENSE32, { exitRate: 0 });
    expectPath(r, a.main_plus_exit);
    const rows = a.per_layer_main_and_exit as Json[];
    expect(r.layers.map((l) => oracleName(l.name))).toEqual(rows.map((x) => x.name));
    r.layers.forEach((l, i) => {
      const w = rows[i];
      expect([oracleName(l.name), l.storageBits, l.mults, l.adds]).toEqual([
        w.name,
        w.param_bits,
        w.raw_mults,
        w.raw_adds,
      ]);
    });
  });
  it('counting the upsample adds its 11,907 mults', () => {
    const up = scoreNetwork(buildScoreTable(graph, { countUpsample: true }), DENSE32);
    expect(up.mults - a.main_network.raw_mults).toBe(63 * 63 * 3);
  });
});

describe('osi_ai_micronet.b_checkpoint_sparsity_16_16_32_with_early_exit', () => {
  const table = buildScoreTable(graph);
  const b = osi.b_checkpoint_sparsity_16_16_32_with_early_exit;
  const zeros = zeroFractions(table, osiWeights(graph));

  it('each layer zero fraction of the imported checkpoint equals the oracle`s', () => {
    const want = b.per_layer_sparsity as Record<string, number>;
    expect(Object.keys(want).map((k) => k.replace(/\.weight$/, ''))).toEqual(Object.keys(zeros));
    for (const [k, v] of Object.entries(want)) expect(zeros[k.replace(/\.weight$/, '')]).toBe(v);
  });

  it('as imported (own zeros, freebie, BN folded, f = 0.2929) scores 0.006267', () => {
    const r = scoreNetwork(table, {}, { layerZeroFraction: zeros, exitRate: EXIT_RATE });
    expect(r.freebie).toBe(true);
    expect(relClose(r.params32, b.params_32bit_equiv_main_plus_exit)).toBe(true);
    expect(relClose(r.paths.full.mults, b.raw_mults_full_path)).toBe(true);
    expect(relClose(r.paths.full.adds, b.raw_adds_full_path)).toBe(true);
    expect(relClose(r.paths.exit!.mults, b.raw_mults_exit_path)).toBe(true);
    expect(relClose(r.paths.exit!.adds, b.raw_adds_exit_path)).toBe(true);
    expect(relClose(r.paths.full.ops, b.weighted_ops_full_path)).toBe(true);
    expect(relClose(r.paths.exit!.ops, b.weighted_ops_exit_path)).toBe(true);
    expect(relClose(r.ops, b.expected_weighted_ops)).toBe(true);
    expect(relClose(r.paramsTerm, b.param_score)).toBe(true);
    expect(relClose(r.opsTerm, b.ops_score)).toBe(true);
    expect(relClose(r.score, b.score)).toBe(true);
    expect(r.score.toFixed(6)).toBe('0.006267');
  });
});

describe('osi_ai_micronet.b_osi_recipe_reproduction (uniform 0.64 / 0.50)', () => {
  const table = buildScoreTable(graph, { residualAddChannels: 'branch-max' });
  const layerSparsity = Object.fromEntries(
    [...table.prunable.keys()].map((k) => [k, k.startsWith('_exit.') ? 0.5 : 0.64]),
  );
  const b = osi.b_osi_recipe_reproduction;

  it('gives OSI`s published 0.002995 + 0.002803 = 0.005798', () => {
    const r = scoreNetwork(table, { layerSparsity }, { exitRate: EXIT_RATE });
    expect(relClose(r.params32, b.params_32bit_equiv_main_plus_exit)).toBe(true);
    expect(relClose(r.paths.full.mults, b.raw_mults_full_path)).toBe(true);
    expect(relClose(r.paths.exit!.adds, b.raw_adds_exit_path)).toBe(true);
    expect(relClose(r.ops, b.expected_weighted_ops)).toBe(true);
    expect(relClose(r.score, b.score)).toBe(true);
    expect(r.score.toFixed(6)).toBe('0.005798');
  });

  it('with the README upsample row: ops term 0.0028029', () => {
    const up = buildScoreTable(graph, { residualAddChannels: 'branch-max', countUpsample: true });
    const r = scoreNetwork(up, { layerSparsity }, { exitRate: EXIT_RATE });
    const v = osi.b_osi_recipe_variants.plus_upsample_11907_mults;
    expect(relClose(r.opsTerm, v.ops_score)).toBe(true);
    expect(relClose(r.score, v.score)).toBe(true);
  });
});
