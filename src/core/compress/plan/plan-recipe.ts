/**
 * Recipe planner: per-layer weight widths (2–16) and extra magnitude sparsities that minimise
 * the predicted loss increase Σ_l ΔL_l (layer-predictions.ts, from a sensitivity report) subject
 * to score ≤ targetScore — or, with an accuracy floor, the lowest score whose predicted top-1
 * (base top-1 + Σ_l Δtop-1_l) stays ≥ the floor.
 *
 * Method: greedy marginal analysis (greedy.ts) on the additive score model (layer-costs.ts),
 * run once per regime — widths ≥ 16 only (the 16-bit freebie can hold: sparsity moves alone) and
 * all widths (freebie off) — and, with allocation 'uniform', once per shared sparsity. Greedy
 * over score-per-loss ratios is near-optimal when each layer's curve is convex and the budget is
 * large against one move, which is the case here (dozens of layers, small steps); a Lagrangian
 * would only find the convex-hull points greedy already walks. Every candidate is then scored
 * with the REAL counter (scoreModel: the weights' magnitude masks, exit rate, official rules);
 * if that differs from the additive sum, greedy continues until the real score is under budget.
 */
import { validateRecipe, type Recipe } from '../../recipe';
import { scoreModel } from '../score-model';
import { costTable, stateRecipe } from './layer-costs';
import {
  bestMove,
  startState,
  stateCost,
  stateSums,
  type GreedyProblem,
  type GreedyState,
} from './greedy';
import { planInputs, type PlanInputs } from './plan-inputs';
import type { PlanOptions, PlanResult } from './types';

interface Regime {
  bits: number[];
  base: Recipe;
  noFreebie: boolean;
}

/** Widths-≥16 (freebie) and all-widths regimes, each with the base it scores under. */
function regimes(p: PlanInputs): Regime[] {
  const out: Regime[] = [];
  const wide = p.bits.filter((b) => b >= 16);
  const lowActivations = Object.values(p.base.layerBits ?? {}).some(
    (b) => (b.activation ?? 32) < 16,
  );
  const freebieOk =
    p.base.freebie !== false && (p.base.activationBits ?? 32) >= 16 && !lowActivations;
  if (wide.length > 0 && freebieOk) out.push({ bits: wide, base: p.base, noFreebie: false });
  if (wide.length < p.bits.length) {
    const base: Recipe = { ...p.base, layerBits: { ...p.base.layerBits } };
    delete base.freebie;
    const widest = p.bits[0]!;
    for (const name of Object.keys(p.others)) {
      const w = base.layerBits![name]?.weight ?? base.weightBits ?? widest;
      base.layerBits![name] = { ...base.layerBits![name], weight: w };
    }
    out.push({ bits: p.bits, base, noFreebie: true });
  }
  return out;
}

function problem(p: PlanInputs, r: Regime, fixed: number | null): GreedyProblem {
  const t = costTable({
    graph: p.o.graph,
    table: p.table,
    base: r.base,
    layers: p.layers,
    others: p.others,
    exitRate: p.exitRate,
    bits: r.bits,
    sparsities: p.sparsities,
    noFreebie: r.noFreebie,
  });
  const get = (m: 'loss' | 'top1') => (l: number, bi: number, si: number) =>
    p.bitsCurves[l]![m].get(r.bits[bi]!)! + p.sparsityCurves[l]![m].get(p.sparsities[si]!)!;
  return {
    cost: t.cost,
    constant: t.constant,
    loss: get('loss'),
    top1: get('top1'),
    allowed: (l, bi, si) =>
      p.bitsCurves[l]!.loss.has(r.bits[bi]!) && p.sparsityCurves[l]!.loss.has(p.sparsities[si]!),
    startSparsity: fixed ?? 0,
    fixedSparsity: fixed !== null,
  };
}

function recipeOf(p: PlanInputs, r: Regime, s: GreedyState): Recipe {
  const bits = s.bi.map((b) => r.bits[b]!);
  const extra = s.si.map((x) => p.sparsities[x]!);
  return validateRecipe(stateRecipe(r.base, p.layers, bits, extra, (p.base.sparsity ?? 0) > 0));
}

function realScore(p: PlanInputs, recipe: Recipe): number {
  return scoreModel(p.o.graph, p.o.weights, recipe, {
    exitRate: p.exitRate,
    table: p.table,
    detail: false,
  }).score;
}

/** Greedy to the budget on the additive model, then on the real counter if that is higher. */
function toTarget(p: PlanInputs, r: Regime, g: GreedyProblem, target: number): GreedyState {
  const s = startState(g);
  while (stateCost(g, s) > target && bestMove(g, s, () => true));
  while (realScore(p, recipeOf(p, r, s)) > target && bestMove(g, s, () => true));
  return s;
}

function toFloor(p: PlanInputs, g: GreedyProblem, floor: number): GreedyState {
  const s = startState(g);
  let top1 = p.o.report.base.top1 + stateSums(g, s).top1;
  if (top1 < floor) return s;
  let m;
  while ((m = bestMove(g, s, (x) => top1 + x.dTop1 >= floor))) top1 += m.dTop1;
  return s;
}

function resultOf(p: PlanInputs, r: Regime, g: GreedyProblem, s: GreedyState): PlanResult {
  const recipe = recipeOf(p, r, s);
  const score = realScore(p, recipe);
  const sums = stateSums(g, s);
  const predictedTop1 = Math.min(1, Math.max(0, p.o.report.base.top1 + sums.top1));
  const feasible =
    p.o.targetScore !== undefined ? score <= p.o.targetScore : predictedTop1 >= p.o.accuracyFloor!;
  const layers = p.layers.map((l, i) => ({
    layer: l.name,
    weightBits: r.bits[s.bi[i]!]!,
    sparsity: p.sparsities[s.si[i]!]!,
    deltaLoss: g.loss(i, s.bi[i]!, s.si[i]!),
  }));
  return { recipe, score, feasible, predictedTop1, predictedLossIncrease: sums.loss, layers };
}

function better(p: PlanInputs, a: PlanResult, b: PlanResult | null): boolean {
  if (!b) return true;
  if (a.feasible !== b.feasible) return a.feasible;
  if (!a.feasible) return a.score < b.score;
  if (p.o.targetScore !== undefined) return a.predictedLossIncrease < b.predictedLossIncrease;
  return a.score < b.score;
}

/** See the header. Pure: no tensors; the weights decide existing zeros and magnitude masks. */
export function planRecipe(o: PlanOptions): PlanResult {
  const p = planInputs(o);
  const fixedChoices = o.allocation === 'uniform' ? p.sparsities.map((_, i) => i) : [null];
  let best: PlanResult | null = null;
  for (const r of regimes(p)) {
    for (const fixed of fixedChoices) {
      const g = problem(p, r, fixed);
      const start = startState(g);
      if (!p.layers.every((_, l) => g.allowed(l, start.bi[l]!, start.si[l]!))) continue;
      const s =
        o.targetScore !== undefined
          ? toTarget(p, r, g, o.targetScore)
          : toFloor(p, g, o.accuracyFloor!);
      const c = resultOf(p, r, g, s);
      if (better(p, c, best)) best = c;
    }
  }
  if (!best) throw new Error('plan: no candidate width / sparsity is predictable for every layer');
  if (best.feasible && o.targetScore !== undefined && realScore(p, best.recipe) > o.targetScore)
    throw new Error(`plan: internal error, recipe scores ${best.score} > target ${o.targetScore}`);
  return best;
}
