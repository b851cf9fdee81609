// The recipe's canonical form and its ?recipe= URL codec (canonical.ts, recipe-url.ts).
import { describe, expect, it } from 'vitest';
import { canonicalRecipe, recipeJson } from './canonical';
import { encodeRecipe, parseRecipeParam, readRecipeParam, searchWithRecipe } from './recipe-url';

describe('canonical recipe', () => {
  it('drops defaults and empty maps, keeps schema order and sorts layer keys', () => {
    expect(canonicalRecipe({ weightBits: 32, activationBits: 32, layerSparsity: {} })).toEqual({});
    expect(canonicalRecipe({ exitBlend: 0 })).toEqual({}); // 0 is the network's own rule
    expect(canonicalRecipe({ exitBlend: 0.2 })).toEqual({ exitBlend: 0.2 });
    expect(recipeJson({ layerSparsity: { b: 0.5, a: 0.25 }, sparsity: 0, weightBits: 8 })).toBe(
      '{"layerSparsity":{"a":0.25,"b":0.5},"weightBits":8}',
    );
    expect(recipeJson({})).toBe('{}');
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
