// The planner on a constructed report: its recipes stay under budget (real counter), the more
// sensitive of two equal layers keeps more bits and less sparsity, the accuracy floor holds, an
// impossible budget says so, and uniform allocation shares one sparsity.
import { describe, expect, it } from 'vitest';
import type { Graph, Weights } from '../../graph/ir';
import { initWeights } from '../../graph/params';
import { GraphBuilder } from '../../models/graph-builder';
import { validateRecipe } from '../../recipe';
import { scoreModel } from '../score-model';
import type { LayerSensitivity, SensitivityReport } from '../sensitivity';
import { planRecipe } from './plan-recipe';

/** input 8×8×8 → convA 8→8 → BN → ReLU → convB 8→8 → BN → ReLU → pool → fc 8→5. */
function twinGraph(): Graph {
  const b = new GraphBuilder();
  let x = b.input(8, 8);
  x = b.relu('ra', b.bn('bna', b.conv('A', x, { in: 8, out: 8, k: 3 }), 8));
  x = b.relu('rb', b.bn('bnb', b.conv('B', x, { in: 8, out: 8, k: 3 }), 8));
  return b.build('twin', 5, b.head('gap', 'fc', x, 8, 5));
}

const BASE = { loss: 1, top1: 0.8 };

function layer(name: string, params: number, k: number): LayerSensitivity {
  // ΔL at 2/4/8 bits and 25/50 % extra sparsity, scaled by k; top-1 falls with ΔL.
  const pt = (value: number, dl: number) => ({
    value,
    loss: BASE.loss + k * dl,
    top1: BASE.top1 - 0.1 * k * dl,
  });
  return {
    layer: name,
    op: name === 'fc' ? 'dense' : 'conv2d',
    params,
    bits: [pt(2, 2), pt(4, 0.5), pt(8, 0.05)],
    sparsity: [pt(0.25, 0.3), pt(0.5, 1)],
  };
}

function setup(kA = 1, kB = 0.01): { graph: Graph; weights: Weights; report: SensitivityReport } {
  const graph = twinGraph();
  const report: SensitivityReport = {
    n: 100,
    base: BASE,
    layers: [layer('A', 576, kA), layer('B', 576, kB), layer('fc', 40, 0.1)],
    recipe: {},
    seconds: 0,
  };
  return { graph, weights: initWeights(graph, 1), report };
}

const score = (s: ReturnType<typeof setup>, recipe: object) =>
  scoreModel(s.graph, s.weights, validateRecipe(recipe)).score;

describe('planRecipe', () => {
  const s = setup();
  const full = score(s, {});
  const smallest = score(s, {
    layerBits: { A: { weight: 2 }, B: { weight: 2 }, fc: { weight: 2 } },
    layerSparsity: { A: 0.5, B: 0.5, fc: 0.5 },
  });

  it('keeps the real score under every target, and the recipe validates', () => {
    expect(smallest).toBeLessThan(full * 0.8); // activations stay 32-bit: mults cost 32 bits
    let previousLoss = -Infinity;
    for (const f of [0.95, 0.6, 0.3, 0.15]) {
      const target = smallest + f * (full - smallest);
      const p = planRecipe({ ...s, targetScore: target });
      expect(p.feasible, `target ${target}`).toBe(true);
      expect(validateRecipe(p.recipe)).toBe(p.recipe);
      expect(score(s, p.recipe)).toBeLessThanOrEqual(target);
      expect(p.score).toBeCloseTo(score(s, p.recipe), 12);
      expect(p.predictedLossIncrease).toBeGreaterThanOrEqual(previousLoss - 1e-12);
      previousLoss = p.predictedLossIncrease;
      const sum = p.layers.reduce((a, l) => a + l.deltaLoss, 0);
      expect(p.predictedLossIncrease).toBeCloseTo(sum, 12);
    }
  });

  it('gives the sensitive layer more bits and less sparsity than its equal-size twin', () => {
    const p = planRecipe({ ...s, targetScore: smallest + 0.3 * (full - smallest) });
    const [a, b] = [p.layers[0]!, p.layers[1]!];
    expect(a.weightBits).toBeGreaterThan(b.weightBits);
    expect(a.sparsity).toBeLessThanOrEqual(b.sparsity);
    expect(p.recipe.layerBits?.A?.weight).toBe(a.weightBits);
    // layerSparsity holds the FINAL zero fraction: initWeights has no zeros, so it is the extra share.
    expect(p.recipe.layerSparsity?.B ?? 0).toBeCloseTo(b.sparsity, 12);
    // Swapping the sensitivities swaps the allocation.
    const q = planRecipe({ ...setup(0.01, 1), targetScore: smallest + 0.3 * (full - smallest) });
    expect(q.layers[1]!.weightBits).toBeGreaterThan(q.layers[0]!.weightBits);
  });

  it('says when the budget cannot be met, returning the closest recipe', () => {
    const p = planRecipe({ ...s, targetScore: smallest / 2 });
    expect(p.feasible).toBe(false);
    expect(p.score).toBeCloseTo(smallest, 12);
    expect(p.layers.every((l) => l.weightBits === 2 && l.sparsity === 0.5)).toBe(true);
  });

  it('accuracy floor: the lowest score whose predicted top-1 stays above it', () => {
    const loose = planRecipe({ ...s, accuracyFloor: 0.7 });
    const tight = planRecipe({ ...s, accuracyFloor: 0.79 });
    for (const p of [loose, tight]) {
      expect(p.feasible).toBe(true);
      expect(p.score).toBeLessThan(full);
    }
    expect(loose.predictedTop1).toBeGreaterThanOrEqual(0.7);
    expect(tight.predictedTop1).toBeGreaterThanOrEqual(0.79);
    expect(loose.score).toBeLessThan(tight.score);
    const none = planRecipe({ ...s, accuracyFloor: 0.81 });
    expect(none.feasible).toBe(false);
  });

  it('uniform allocation gives every layer the same extra sparsity', () => {
    const p = planRecipe({
      ...s,
      targetScore: smallest + 0.3 * (full - smallest),
      allocation: 'uniform',
    });
    expect(p.feasible).toBe(true);
    expect(new Set(p.layers.map((l) => l.sparsity)).size).toBe(1);
    expect(score(s, p.recipe)).toBeLessThanOrEqual(smallest + 0.3 * (full - smallest));
  });

  it('keeps base fields and rejects bad options with the bad value', () => {
    const p = planRecipe({
      ...s,
      targetScore: full * 0.5,
      base: { activationBits: 8, foldBN: true },
    });
    expect(p.recipe).toMatchObject({ activationBits: 8, foldBN: true });
    expect(p.feasible).toBe(true);
    expect(score(s, p.recipe)).toBeLessThanOrEqual(full * 0.5);
    expect(() => planRecipe({ ...s, targetScore: 1, accuracyFloor: 0.5 })).toThrow(
      /exactly one.*got 1 \/ 0.5/,
    );
    expect(() => planRecipe({ ...s, targetScore: -1 })).toThrow(/got -1/);
    expect(() => planRecipe({ ...s, targetScore: 1, bitsChoices: [1] })).toThrow(/got 1$/);
    expect(() => planRecipe({ ...s, targetScore: 1, exitRate: 0.3 })).toThrow(/no early-exit/);
  });
});
