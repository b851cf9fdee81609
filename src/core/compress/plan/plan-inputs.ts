/**
 * What the planner works on, prepared once from its options: checked targets, the planned
 * layers (the report's) with their zero counts under the base recipe, the other prunable layers,
 * the candidate widths and sparsities, and every layer's predicted curves.
 */
import { validateRecipe, type Recipe } from '../../recipe';
import { buildScoreTable, type ScoreTable } from '../../score/score-table';
import { effectiveLayerSparsity, hasEarlyExit } from '../score-model';
import { layerZeroFractions } from '../sparsity';
import { bitsCurve, sparsityCurve, type Curve } from './layer-predictions';
import type { LayerBase } from './layer-costs';
import type { PlanOptions } from './types';

export interface PlanInputs {
  o: PlanOptions;
  base: Recipe;
  table: ScoreTable;
  exitRate: number | undefined;
  layers: LayerBase[];
  others: Record<string, number>;
  /** Descending. */
  bits: number[];
  /** Ascending, starting at 0. */
  sparsities: number[];
  bitsCurves: Curve[];
  sparsityCurves: Curve[];
}

function checkTargets(o: PlanOptions): void {
  const t = o.targetScore;
  const f = o.accuracyFloor;
  if ((t === undefined) === (f === undefined))
    throw new Error(`plan: give exactly one of targetScore / accuracyFloor, got ${t} / ${f}`);
  if (t !== undefined && !(t > 0 && Number.isFinite(t)))
    throw new Error(`plan: targetScore must be a number > 0, got ${t}`);
  if (f !== undefined && !(f >= 0 && f <= 1))
    throw new Error(`plan: accuracyFloor must be a fraction in [0, 1], got ${f}`);
}

function choices(what: string, v: readonly number[], ok: (x: number) => boolean, want: string) {
  for (const x of v) if (!ok(x)) throw new Error(`plan: ${what} must be ${want}, got ${x}`);
  const out = [...new Set(v)];
  if (out.length === 0) throw new Error(`plan: ${what} must not be empty`);
  return out;
}

function candidateBits(o: PlanOptions): number[] {
  const def = Array.from({ length: 15 }, (_, i) => i + 2);
  const ok = (x: number) => Number.isInteger(x) && x >= 2 && x <= 16;
  return choices('bitsChoices', o.bitsChoices ?? def, ok, 'integers in 2–16').sort((a, b) => b - a);
}

function candidateSparsities(o: PlanOptions): number[] {
  const measured = o.report.layers.flatMap((l) => l.sparsity.map((p) => p.value));
  const ok = (x: number) => x >= 0 && x < 1;
  const v = choices('sparsityChoices', o.sparsityChoices ?? [0, ...measured], ok, 'in [0, 1)');
  return [...new Set([0, ...v])].sort((a, b) => a - b);
}

function plannedLayers(
  o: PlanOptions,
  base: Recipe,
): { layers: LayerBase[]; others: Record<string, number> } {
  const zeros = layerZeroFractions(o.graph, o.weights);
  const after = effectiveLayerSparsity(o.graph, o.weights, base);
  const layers = o.report.layers.map((l) => {
    const z = zeros[l.layer];
    const size = o.weights.get(`${l.layer}.weight`)?.data.length;
    if (z === undefined || size === undefined)
      throw new Error(
        `plan: the report's layer '${l.layer}' is not a prunable layer of '${o.graph.name}'`,
      );
    return { name: l.layer, size, zeros: Math.round(z * size), baseZeros: after[l.layer]! };
  });
  const planned = new Set(layers.map((l) => l.name));
  const others = Object.fromEntries(Object.entries(after).filter(([k]) => !planned.has(k)));
  return { layers, others };
}

export function planInputs(o: PlanOptions): PlanInputs {
  checkTargets(o);
  const base = validateRecipe(o.base ?? o.report.recipe);
  const hasExit = hasEarlyExit(o.graph);
  if (o.exitRate !== undefined && !hasExit)
    throw new Error(
      `plan: exit rate ${o.exitRate} given but '${o.graph.name}' has no early-exit head`,
    );
  const bits = candidateBits(o);
  const sparsities = candidateSparsities(o);
  const { layers, others } = plannedLayers(o, base);
  const ref = o.report.base;
  return {
    o,
    base,
    table: buildScoreTable(o.graph),
    exitRate: hasExit ? (o.exitRate ?? 0) : undefined,
    layers,
    others,
    bits,
    sparsities,
    bitsCurves: o.report.layers.map((l) => bitsCurve(l, ref, bits, o.report.n)),
    sparsityCurves: o.report.layers.map((l) => sparsityCurve(l, ref, sparsities, o.report.n)),
  };
}
