// Recipe edits as the Score panel makes them (recipe-edit.ts) keep the canonical form.
import { describe, expect, it } from 'vitest';
import {
  canonicalRecipe,
  readRecipeParam,
  recipeJson,
  searchWithRecipe,
} from '../core/recipe/index';
import {
  roundSparsity,
  withBits,
  withCountingProfile,
  withFreebie,
  withLayerBits,
  withLayerSparsity,
  withSparsity,
} from './recipe-edit';

describe('recipe edits', () => {
  it('keep the canonical form: defaults out, keys in schema order, layer keys sorted', () => {
    let r = withSparsity({}, 0.35000000000000003);
    r = withLayerBits(r, 'fc', 'weight', 4);
    r = withLayerSparsity(r, 'b', 0.5);
    r = withLayerSparsity(r, 'a', 0.25);
    r = withBits(r, { weight: 8, activation: 32 });
    expect(recipeJson(r)).toBe(
      '{"sparsity":0.35,"layerSparsity":{"a":0.25,"b":0.5},"weightBits":8,"layerBits":{"fc":{"weight":4}}}',
    );
    expect(withSparsity(r, 0).sparsity).toBeUndefined();
    expect(withLayerBits(r, 'fc', 'weight', null).layerBits).toBeUndefined();
    expect(withCountingProfile(r, 'official').countingProfile).toBeUndefined();
    expect(withFreebie({}, false)).toEqual({ freebie: false });
    expect(withFreebie({ freebie: false }, undefined)).toEqual({});
    expect(canonicalRecipe({ weightBits: 32, activationBits: 32, layerSparsity: {} })).toEqual({});
  });

  it('keep fineTune.distill and fineTune.exitLossWeight, through the URL too', () => {
    const fineTune = {
      epochs: 2,
      qat: true,
      distill: { temperature: 4, weight: 0.9 },
      exitLossWeight: 1,
    };
    const r = canonicalRecipe({ weightBits: 8, fineTune });
    expect(r).toEqual({ weightBits: 8, fineTune });
    expect(readRecipeParam(searchWithRecipe('', r)).recipe).toEqual(r);
  });

  it('keep exitThreshold and a structured prune spec (they used to be dropped)', () => {
    const r = canonicalRecipe({
      weightBits: 8,
      exitThreshold: 0.9,
      prune: { method: 'channels', ratio: 0.2 },
    });
    expect(r).toMatchObject({ exitThreshold: 0.9, prune: { method: 'channels', ratio: 0.2 } });
    expect(readRecipeParam(searchWithRecipe('', r)).recipe).toEqual(r);
  });

  it('clamps slider values to [0, 0.95] and rejects NaN', () => {
    expect(roundSparsity(0.99)).toBe(0.95);
    expect(roundSparsity(-1)).toBe(0);
    expect(roundSparsity(0.123456)).toBe(0.1235);
    expect(() => roundSparsity(Number.NaN)).toThrow('NaN');
  });
});
