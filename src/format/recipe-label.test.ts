// Recipe labels: flat field rows and the short description (recipe-label.ts).
import { describe, expect, it } from 'vitest';
import { describeRecipe, flattenRecipe } from './recipe-label';

describe('recipe labels', () => {
  it('flattens nested fields and describes a recipe briefly', () => {
    expect(flattenRecipe({ layerSparsity: { conv3: 0.2 }, foldBN: false })).toEqual({
      'layerSparsity.conv3': '0.2',
      foldBN: 'false',
    });
    expect(describeRecipe({})).toBe('as is');
    expect(
      describeRecipe({
        sparsity: 0.5,
        weightBits: 8,
        layerSparsity: { a: 0.1 },
        layerBits: { a: { weight: 4 }, b: { activation: 6 } },
        freebie: false,
      }),
    ).toBe('sparsity 50 %, 8-bit weights, 2 layer overrides, no freebie');
  });
});
