import { describe, expect, it } from 'vitest';
import {
  canonicalRecipe,
  roundSparsity,
  withBits,
  withCountingProfile,
  withFreebie,
  withLayerBits,
  withLayerSparsity,
  withSparsity,
} from './recipe-edit.ts';
import {
  encodeRecipe,
  parseRecipeParam,
  readRecipeParam,
  recipeJson,
  searchWithRecipe,
} from './recipe-url.ts';

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

describe('recipe in the URL', () => {
  const recipe = {
    sparsity: 0.35,
    layerSparsity: { 'layer1.0.conv1': 0.5 },
    weightBits: 8,
    activationBits: 12,
    layerBits: { fc: { weight: 16, activation: 32 } },
    countingProfile: 'seed' as const,
    foldBN: true,
    freebie: false,
  };

  it('round-trips through ?recipe= and keeps ?backend=', () => {
    const search = searchWithRecipe('?backend=cpu', recipe);
    expect(search.startsWith('?backend=cpu&recipe=')).toBe(true);
    // Readable: JSON punctuation that a query may carry stays as it is.
    expect(search).toContain('%22sparsity%22:0.35,');
    expect(new URL(`http://x/${search}`).searchParams.get('backend')).toBe('cpu');
    expect(readRecipeParam(search)).toEqual({ recipe, error: null });
    // Replacing it keeps one recipe parameter.
    const again = searchWithRecipe(search, { weightBits: 4 });
    expect(again).toBe(`?backend=cpu&recipe=${encodeRecipe({ weightBits: 4 })}`);
    expect(readRecipeParam(again).recipe).toEqual({ weightBits: 4 });
  });

  it('an empty recipe removes the parameter', () => {
    expect(searchWithRecipe('?recipe=%7B%7D&backend=wasm', {})).toBe('?backend=wasm');
    expect(searchWithRecipe('?recipe=%7B%7D', {})).toBe('');
    expect(readRecipeParam('?backend=wasm')).toEqual({ recipe: null, error: null });
  });

  it('survives URL-significant characters in layer names', () => {
    const r = { layerSparsity: { 'a&b=c?#d+e %f': 0.5 } };
    const search = searchWithRecipe('', r);
    expect(new URL(`http://x/${search}`).search).toBe(search);
    expect(readRecipeParam(search).recipe).toEqual(r);
  });

  it('rejects bad JSON and bad fields with a message naming them', () => {
    const bad = (text: string) => readRecipeParam(`?recipe=${encodeURIComponent(text)}`);
    expect(bad('{"sparsity":').error).toMatch(/^\?recipe= is not valid JSON/);
    expect(bad('{"weightBits":40}')).toEqual({
      recipe: null,
      error: '?recipe= was rejected: recipe.weightBits must be an integer in 2–16 or 32, got 40',
    });
    expect(bad('{"sparsity":1.5}').error).toContain('recipe.sparsity must be a number in [0, 1)');
    expect(bad('{"layerBits":{"fc":{"weight":1}}}').error).toContain(
      'recipe.layerBits["fc"].weight',
    );
    expect(bad('{"bits":8}').error).toContain("unknown field 'bits'");
    expect(bad('[1]').error).toContain('recipe must be an object');
    expect(() => parseRecipeParam('{"freebie":true,"weightBits":8}')).toThrow('recipe.freebie');
  });
});
