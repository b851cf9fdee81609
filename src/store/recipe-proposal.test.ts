// A planner's proposal as the user edits it: rows from the plan, edits checked (errors name the
// layer and value), and the recipe applied = the plan's own recipe with only the edited rows
// written over it; plus the quantization choices of the recipe in its canonical (URL) form, and
// the activation zero point, which brings least-squared-error activation exponents with it.
import { describe, expect, it } from 'vitest';
import {
  canonicalRecipe,
  parseRecipeParam,
  recipeJson,
  validateRecipe,
  type Recipe,
} from '../core/recipe/index';
import type { PlanResponse } from '../protocol/sensitivity';
import { quantChoices, withQuantChoices } from './recipe-edit';
import {
  editProposal,
  editSummary,
  isEdited,
  proposalFromPlan,
  proposalRecipe,
} from './recipe-proposal';

const plan: PlanResponse = {
  recipe: {
    activationBits: 8,
    layerBits: { conv1: { weight: 8 }, conv2: { weight: 4 }, fc: { weight: 6 } },
    layerSparsity: { fc: 0.5 },
    weightGranularity: 'channel',
  },
  score: 0.0042,
  feasible: true,
  predictedTop1: 0.71,
  predictedLossIncrease: 0.12,
  layers: [
    { layer: 'conv1', weightBits: 8, sparsity: 0, deltaLoss: 0.01 },
    { layer: 'conv2', weightBits: 4, sparsity: 0, deltaLoss: 0.05 },
    { layer: 'fc', weightBits: 6, sparsity: 0.5, deltaLoss: 0.06 },
  ],
  baseSparsity: { conv1: 0.2, conv2: 0, fc: 0 },
};
const target = { targetScore: 0.005, accuracyFloor: null, networkId: 7 };

describe('recipe proposal', () => {
  it('applies exactly the planned recipe when nothing is edited', () => {
    const p = proposalFromPlan(plan, target);
    expect(p.rows.map((r) => [r.layer, r.weightBits, r.sparsity])).toEqual([
      ['conv1', 8, 0],
      ['conv2', 4, 0],
      ['fc', 6, 0.5],
    ]);
    expect(p.rows.some(isEdited)).toBe(false);
    expect(proposalRecipe(p)).toEqual(canonicalRecipe(plan.recipe));
    expect(editSummary(p)).toBe('');
  });

  it('writes only the edited rows over the plan', () => {
    let p = proposalFromPlan(plan, target);
    p = editProposal(p, 'conv2', { weightBits: 6 });
    p = editProposal(p, 'conv1', { sparsity: 0.25 });
    p = editProposal(p, 'fc', { sparsity: 0.5 }); // the planned value: no edit
    expect(p.rows.filter(isEdited).map((r) => r.layer)).toEqual(['conv1', 'conv2']);
    const r = proposalRecipe(p);
    expect(r.layerBits).toEqual({ conv1: { weight: 8 }, conv2: { weight: 6 }, fc: { weight: 6 } });
    // conv1 has 20 % zeros under the base recipe: 25 % of the rest → 0.2 + 0.25·0.8 = 0.4.
    expect(r.layerSparsity).toEqual({ conv1: 0.4, fc: 0.5 });
    expect(r.activationBits).toBe(8);
    expect(r.weightGranularity).toBe('channel');
    expect(editSummary(p)).toBe('conv1 extra sparsity 0 % → 25 %, conv2 4 → 6 bits');
    // Editing back to the planned value is no edit any more.
    p = editProposal(p, 'conv2', { weightBits: 4 });
    expect(p.rows.find((x) => x.layer === 'conv2')!.weightBits).toBe(4);
    expect(proposalRecipe(p).layerBits?.conv2).toEqual({ weight: 4 });
    // The plan itself is never changed by an edit.
    expect(plan.layers[1]!.weightBits).toBe(4);
  });

  it('keeps a layer`s activation override when its weight width is edited', () => {
    const withAct: PlanResponse = {
      ...plan,
      recipe: { ...plan.recipe, layerBits: { conv1: { weight: 8, activation: 12 } } },
    };
    const p = editProposal(proposalFromPlan(withAct, target), 'conv1', { weightBits: 5 });
    expect(proposalRecipe(p).layerBits).toEqual({ conv1: { weight: 5, activation: 12 } });
  });

  it('refuses bad edits, naming the layer and the value', () => {
    const p = proposalFromPlan(plan, target);
    expect(() => editProposal(p, 'conv1', { weightBits: 1 })).toThrow(
      'conv1: weight bits must be a whole number in 2–16 or 32 (off), got 1',
    );
    expect(() => editProposal(p, 'conv1', { weightBits: 7.5 })).toThrow('got 7.5');
    expect(() => editProposal(p, 'fc', { sparsity: 0.99 })).toThrow(
      'fc: extra sparsity must be between 0 and 95 %, got 99 %',
    );
    expect(() => editProposal(p, 'fc', { sparsity: -0.1 })).toThrow('fc: extra sparsity');
    expect(() => editProposal(p, 'conv9', { weightBits: 4 })).toThrow("no layer 'conv9'");
  });
});

describe('quantization choices in the recipe', () => {
  it('leaves the defaults out of the canonical recipe and round-trips through the URL', () => {
    expect(quantChoices({})).toEqual({
      weightGranularity: 'tensor',
      quantMethod: 'sigmamax',
      activationMethod: 'sigmamax',
      activationZeroPoint: false,
      sparsityAllocation: 'global',
    });
    const r = withQuantChoices({ weightBits: 8 }, { weightGranularity: 'channel' });
    expect(r).toEqual({ weightBits: 8, weightGranularity: 'channel' });
    const all = withQuantChoices(r, { quantMethod: 'mse', sparsityAllocation: 'uniform' });
    expect(quantChoices(all)).toEqual({
      weightGranularity: 'channel',
      quantMethod: 'mse',
      activationMethod: 'mse',
      activationZeroPoint: false,
      sparsityAllocation: 'uniform',
    });
    expect(parseRecipeParam(recipeJson(all))).toEqual(all);
    expect(withQuantChoices(all, QUANT_DEFAULTS)).toEqual({ weightBits: 8 });
    expect(() => parseRecipeParam('{"weightGranularity":"row"}')).toThrow(
      "recipe.weightGranularity must be 'tensor' or 'channel', got \"row\"",
    );
  });
});

describe('activation codes with a zero point', () => {
  /** Every recipe the control makes passes the schema and survives the URL round trip. */
  function valid(r: Recipe): Recipe {
    expect(validateRecipe(r)).toBe(r);
    expect(parseRecipeParam(recipeJson(r))).toEqual(r);
    return r;
  }

  it('brings least-squared-error activation exponents with it under SigmaMax weights', () => {
    const r = valid(withQuantChoices({ activationBits: 8 }, { activationZeroPoint: true }));
    expect(r).toEqual({ activationBits: 8, activationMethod: 'mse', activationZeroPoint: true });
    expect(quantChoices(r)).toMatchObject({
      quantMethod: 'sigmamax',
      activationMethod: 'mse',
      activationZeroPoint: true,
    });
    // Back to signed codes: the activation exponents stay as they are (still a valid recipe).
    expect(valid(withQuantChoices(r, { activationZeroPoint: false }))).toEqual({
      activationBits: 8,
      activationMethod: 'mse',
    });
  });

  it('follows least-squared-error weights without restating the activation method', () => {
    const mse = withQuantChoices({ activationBits: 8 }, { quantMethod: 'mse' });
    const r = valid(withQuantChoices(mse, { activationZeroPoint: true }));
    expect(r).toEqual({ activationBits: 8, quantMethod: 'mse', activationZeroPoint: true });
    // Weights back to SigmaMax: the activations keep 'mse', pinned, so the zero point stays.
    expect(valid(withQuantChoices(r, { quantMethod: 'sigmamax' }))).toEqual({
      activationBits: 8,
      activationMethod: 'mse',
      activationZeroPoint: true,
    });
  });

  it('turns the zero point off when the activations are set to SigmaMax', () => {
    const r = withQuantChoices({}, { quantMethod: 'mse', activationZeroPoint: true });
    expect(valid(withQuantChoices(r, { activationMethod: 'sigmamax' }))).toEqual({
      quantMethod: 'mse',
      activationMethod: 'sigmamax',
    });
  });

  it('keeps both fields through canonicalisation and the URL', () => {
    const r = { weightBits: 8, activationMethod: 'mse', activationZeroPoint: true } as const;
    expect(canonicalRecipe(r)).toEqual(r);
    expect(recipeJson(r)).toBe(
      '{"weightBits":8,"activationMethod":"mse","activationZeroPoint":true}',
    );
    expect(parseRecipeParam(recipeJson(r))).toEqual(r);
    // Defaults drop out: a method equal to the weights' one, and signed codes.
    expect(canonicalRecipe({ quantMethod: 'mse', activationMethod: 'mse' })).toEqual({
      quantMethod: 'mse',
    });
    expect(canonicalRecipe({ activationMethod: 'sigmamax', activationZeroPoint: false })).toEqual(
      {},
    );
    expect(() => parseRecipeParam('{"activationZeroPoint":true}')).toThrow(
      "recipe.activationZeroPoint needs activationMethod (or quantMethod) 'mse'",
    );
  });
});

const QUANT_DEFAULTS = {
  weightGranularity: 'tensor',
  quantMethod: 'sigmamax',
  sparsityAllocation: 'global',
} as const;
