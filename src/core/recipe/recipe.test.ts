import { describe, expect, it } from 'vitest';
import { minRecipeBits, RecipeError, validateRecipe } from './recipe';

describe('validateRecipe', () => {
  it('accepts the empty recipe and a full one', () => {
    expect(validateRecipe({})).toEqual({});
    const full = {
      sparsity: 0.45,
      layerSparsity: { conv1: 0.2 },
      weightBits: 9,
      activationBits: 12,
      layerBits: { conv1: { weight: 8 }, fc: { activation: 16 } },
      lambda: 1e-4,
      foldBN: false,
      countingProfile: 'seed',
      freebie: false,
      exitThreshold: 0.9,
      exitBlend: 0.2,
      fineTune: { epochs: 3, learningRate: 0.01, batchSize: 64, momentum: 0.9, weightDecay: 5e-4 },
    };
    expect(validateRecipe(full)).toBe(full);
    const distilled = {
      fineTune: {
        qat: true,
        distill: { temperature: 4, weight: 0.9 },
        exitLossWeight: 0.5,
        freezeBatchNorm: true,
        lrSchedule: 'cosine',
        minLearningRate: 1e-5,
        augment: 'standard',
      },
    };
    expect(validateRecipe(distilled)).toBe(distilled);
    expect(validateRecipe({ fineTune: { distill: {}, exitLossWeight: 0 } })).toBeTruthy();
  });

  it.each([
    [{ weightBits: 40 }, 'recipe.weightBits must be an integer in 2–16 or 32, got 40'],
    [{ exitBlend: -0.1 }, 'recipe.exitBlend must be a number in [0, 4], got -0.1'],
    [{ exitBlend: 5 }, 'recipe.exitBlend must be a number in [0, 4], got 5'],
    [{ activationBits: 1 }, 'recipe.activationBits must be an integer in 2–16 or 32, got 1'],
    [{ weightBits: 8.5 }, 'recipe.weightBits must be an integer in 2–16 or 32, got 8.5'],
    [{ sparsity: 1 }, 'recipe.sparsity must be a number in [0, 1), got 1'],
    [{ sparsity: '0.5' }, 'recipe.sparsity must be a number in [0, 1), got "0.5"'],
    [
      { layerSparsity: { c: -0.1 } },
      'recipe.layerSparsity["c"] must be a number in [0, 1), got -0.1',
    ],
    [
      { layerSparsity: [0.1] },
      'recipe.layerSparsity must be an object keyed by layer name, got [0.1]',
    ],
    [
      { layerBits: { c: { weight: 17 } } },
      'recipe.layerBits["c"].weight must be an integer in 2–16 or 32, got 17',
    ],
    [{ layerBits: { c: { bits: 8 } } }, 'recipe.layerBits["c"] has unknown field \'bits\''],
    [{ lambda: -1 }, 'recipe.lambda must be a finite number > 0, got -1'],
    [{ activationLambda: 0 }, 'recipe.activationLambda must be a finite number > 0, got 0'],
    [
      { fineTune: { pruneSchedule: 'x' } },
      "recipe.fineTune.pruneSchedule must be 'agp' or 'seed', got \"x\"",
    ],
    [{ foldBN: 'yes' }, 'recipe.foldBN must be true or false, got "yes"'],
    [{ countingProfile: 'wrn' }, `recipe.countingProfile must be 'official' or 'seed', got "wrn"`],
    [{ fineTune: { epochs: -2 } }, 'recipe.fineTune.epochs must be an integer ≥ 0, got -2'],
    [{ fineTune: { lr: 0.1 } }, "recipe.fineTune has unknown field 'lr'"],
    [
      { fineTune: { distill: { temperature: 0 } } },
      'recipe.fineTune.distill.temperature must be a number > 0, got 0',
    ],
    [
      { fineTune: { distill: { weight: 1.5 } } },
      'recipe.fineTune.distill.weight must be a number in [0, 1], got 1.5',
    ],
    [
      { fineTune: { distill: { t: 2 } } },
      "recipe.fineTune.distill has unknown field 't' (known: temperature, weight)",
    ],
    [
      { fineTune: { distill: true } },
      'recipe.fineTune.distill must be an object { temperature?, weight? }, got true',
    ],
    [
      { fineTune: { exitLossWeight: -1 } },
      'recipe.fineTune.exitLossWeight must be a number ≥ 0, got -1',
    ],
    [{ fineTune: { freezeBatchNorm: 1 } }, 'recipe.fineTune.freezeBatchNorm must be'],
    [
      { fineTune: { augment: true } },
      "recipe.fineTune.augment must be 'none' or 'standard' or 'seed', got true",
    ],
    [
      { fineTune: { lrSchedule: 'step' } },
      "recipe.fineTune.lrSchedule must be 'constant' or 'cosine', got \"step\"",
    ],
    [
      { fineTune: { minLearningRate: 1e-5 } },
      "recipe.fineTune.minLearningRate must be set only with lrSchedule 'cosine', got 0.00001",
    ],
    [
      { fineTune: { lrSchedule: 'cosine', learningRate: 0.01, minLearningRate: 0.02 } },
      'recipe.fineTune.minLearningRate must be at most learningRate (0.01), got 0.02',
    ],
    [{ weightbits: 8 }, "recipe has unknown field 'weightbits'"],
    [null, 'recipe must be an object, got null'],
  ])('%j → %s', (recipe, message) => {
    expect(() => validateRecipe(recipe)).toThrow(RecipeError);
    expect(() => validateRecipe(recipe)).toThrow(message);
  });

  it('rejects freebie: true with any width below 16', () => {
    expect(() => validateRecipe({ freebie: true, layerBits: { c: { activation: 8 } } })).toThrow(
      /freebie is true but the recipe quantizes to 8 bits/,
    );
    expect(validateRecipe({ freebie: true, weightBits: 16 })).toEqual({
      freebie: true,
      weightBits: 16,
    });
  });

  it('minRecipeBits finds the narrowest width anywhere', () => {
    expect(minRecipeBits({})).toBe(32);
    expect(minRecipeBits({ weightBits: 12, layerBits: { a: { activation: 4 } } })).toBe(4);
  });
});
