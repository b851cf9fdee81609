// recipe.exitThreshold: validated in (0, 1]; evaluateRecipe exits by it unless a threshold is
// passed explicitly; the default is the network's own 0.85.
import { describe, expect, it } from 'vitest';
import { validateRecipe } from '../recipe';
import { compressNetwork, evaluateRecipe } from './apply-recipe';
import { DEFAULT_EXIT_THRESHOLD, exitThresholdOf } from './exit-threshold';
import { exitNet, testSource } from './pipeline/pipeline.test-helpers';

describe('recipe.exitThreshold', () => {
  it('is a number in (0, 1]', () => {
    expect(validateRecipe({ exitThreshold: 1 })).toEqual({ exitThreshold: 1 });
    expect(validateRecipe({ exitThreshold: 0.3 })).toEqual({ exitThreshold: 0.3 });
    for (const bad of [0, -0.1, 1.01, '0.5', NaN]) {
      expect(() => validateRecipe({ exitThreshold: bad })).toThrow(
        `recipe.exitThreshold must be a number in (0, 1], got ${typeof bad === 'string' ? '"0.5"' : String(bad)}`,
      );
    }
  });

  it('an explicit threshold wins, then the recipe, then 0.85', () => {
    expect(DEFAULT_EXIT_THRESHOLD).toBe(0.85);
    expect(exitThresholdOf(undefined)).toBe(0.85);
    expect(exitThresholdOf({ exitThreshold: 0.4 })).toBe(0.4);
    expect(exitThresholdOf({ exitThreshold: 0.4 }, 0.9)).toBe(0.9);
  });

  it('evaluateRecipe and compressNetwork use it', async () => {
    const net = exitNet(2);
    try {
      const o = { source: testSource, batchSize: 8 };
      const never = await evaluateRecipe(net, { exitThreshold: 1 }, o);
      expect(never.exitRate).toBe(0);
      expect(never.exitThreshold).toBe(1);
      expect(never.top1EarlyExit).toBe(never.top1);
      const always = await evaluateRecipe(net, { exitThreshold: 1e-6 }, o);
      expect(always.exitRate).toBe(1);
      const explicit = await evaluateRecipe(net, { exitThreshold: 1e-6 }, { ...o, threshold: 1 });
      expect(explicit.exitRate).toBe(0);
      const plain = await evaluateRecipe(net, {}, o);
      const at085 = await evaluateRecipe(net, { exitThreshold: 0.85 }, o);
      expect(plain.exitThreshold).toBe(0.85);
      expect(plain.exitRate).toBe(at085.exitRate);
      const c = await compressNetwork(net, { exitThreshold: 0.6, weightBits: 8 });
      expect(c.exitThreshold).toBe(0.6);
      c.dispose();
    } finally {
      net.dispose();
    }
  });
});
