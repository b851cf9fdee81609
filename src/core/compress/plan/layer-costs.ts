/**
 * The score as a sum over planned layers: score = constant + Σ_l c_l(b_l, s_l). The MicroNet
 * counter is additive per layer row (its storage, its mults at max(weight, activation) bits and
 * its adds, with the activation it feeds) except for the 16-bit freebie, which is all-or-nothing:
 * each regime is tabulated separately (freebie forced off when widths below 16 are allowed).
 * One counter call per (width, sparsity) pair, every layer set to it, gives every layer's c_l
 * from the per-row breakdown. The planner checks the sum against the real counter at the end.
 */
import type { Graph } from '../../graph/ir';
import type { LayerBits, Recipe } from '../../recipe';
import type { ScoreTable } from '../../score/score-table';
import { scoreNetwork } from '../../score/score-network';
import { targetZeros } from '../sparsity/prunable-layers';
import { sparsityTarget } from '../sensitivity';

export interface LayerBase {
  name: string;
  /** Weights, existing zeros (original), and the zero fraction the base recipe leaves. */
  size: number;
  zeros: number;
  baseZeros: number;
}

export interface CostTable {
  /** cost[l][bi][si]: score share of planned layer l at bits[bi], sparsities[si]. */
  cost: number[][][];
  /** Score of everything but the planned layers (at the regime's start). */
  constant: number;
}

/** Effective sparsity of a layer at extra sparsity `s`, exactly as magnitudeMasks prunes it. */
export function effectiveSparsity(l: LayerBase, s: number): number {
  if (s === 0) return l.baseZeros;
  return targetZeros(l.zeros, l.size, sparsityTarget(l.baseZeros, s)) / l.size;
}

/** The recipe of a state: base fields, per-layer widths and final sparsity targets. */
export function stateRecipe(
  base: Recipe,
  layers: readonly LayerBase[],
  bits: readonly number[],
  extra: readonly number[],
  keepSparsityEntries: boolean,
): Recipe {
  const layerBits: Record<string, LayerBits> = { ...base.layerBits };
  const layerSparsity: Record<string, number> = { ...base.layerSparsity };
  layers.forEach((l, i) => {
    layerBits[l.name] = { ...base.layerBits?.[l.name], weight: bits[i]! };
    const s = extra[i]!;
    if (s > 0 || keepSparsityEntries) layerSparsity[l.name] = sparsityTarget(l.baseZeros, s);
  });
  const r: Recipe = { ...base, layerBits };
  if (Object.keys(layerSparsity).length > 0) r.layerSparsity = layerSparsity;
  return r;
}

export interface CostInputs {
  graph: Graph;
  table: ScoreTable;
  base: Recipe;
  layers: readonly LayerBase[];
  /** Prunable layers not planned (e.g. an exit head) → their base sparsity. */
  others: Record<string, number>;
  exitRate: number | undefined;
  bits: readonly number[];
  sparsities: readonly number[];
  /** Force freebie off (regimes with widths below 16). */
  noFreebie: boolean;
}

function scoreUniform(c: CostInputs, b: number, s: number) {
  const n = c.layers.length;
  const recipe = stateRecipe(c.base, c.layers, Array(n).fill(b), Array(n).fill(0), false);
  if (c.noFreebie) recipe.freebie = false;
  const layerSparsity = { ...c.others };
  for (const l of c.layers) layerSparsity[l.name] = effectiveSparsity(l, s);
  return scoreNetwork(c.table, recipe, { layerSparsity, exitRate: c.exitRate, detail: true });
}

export function costTable(c: CostInputs): CostTable {
  const index = new Map(c.layers.map((l, i) => [l.name, i]));
  const cost = c.layers.map(() => c.bits.map(() => c.sparsities.map(() => 0)));
  let constant = 0;
  c.bits.forEach((b, bi) =>
    c.sparsities.forEach((s, si) => {
      const r = scoreUniform(c, b, s);
      let planned = 0;
      for (const row of r.layers) {
        const li = index.get(row.name);
        if (li === undefined || row.op === 'batchnorm') continue;
        const share = row.share * r.score;
        cost[li]![bi]![si] = share;
        planned += share;
      }
      if (bi === 0 && si === 0) constant = r.score - planned;
    }),
  );
  return { cost, constant };
}
