/**
 * The early-exit threshold an evaluation uses: an explicit one (a --threshold flag) wins, then
 * recipe.exitThreshold, then the network's own — DEFAULT_EXIT_THRESHOLD, the OSI entry's 0.85
 * (models/osi-micronet.ts OSI_EXIT_THRESHOLD) and evaluateWithEarlyExit's default. The blend
 * weight of the exit head in the prediction of images that do not exit: recipe.exitBlend, else 0.
 */
import type { Recipe } from '../recipe';

export const DEFAULT_EXIT_THRESHOLD = 0.85;

export function exitThresholdOf(recipe: Recipe | undefined, override?: number): number {
  return override ?? recipe?.exitThreshold ?? DEFAULT_EXIT_THRESHOLD;
}

/** The recipe's early-exit blend weight (recipe.exitBlend; 0 — the main head alone — if unset). */
export function exitBlendOf(recipe: Recipe | undefined, override?: number): number {
  return override ?? recipe?.exitBlend ?? 0;
}
