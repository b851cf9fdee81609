/**
 * Whether a result still describes the current (network, recipe) pair: every measured number a
 * view shows keeps the content key of the network it was measured on (ScoreInputs.networkKey,
 * the network slice's currentNetworkKey) and, where the recipe shaped it, recipeJson() of that
 * recipe. A result of another network or recipe is labelled stale (StaleNote), not hidden. Pure.
 */
import { recipeJson } from '../core/recipe/index';
import type { LabState } from './lab-store';
import { isStale } from './stack-slice';

/** Why a result no longer describes the current pair: another network, another recipe, or null. */
export type StaleReason = 'network' | 'recipe' | null;

/** Where a result came from: its network's key (null: unknown) and, if any, its recipe's key. */
export interface ResultKeys {
  networkKey: string | null | undefined;
  recipeKey?: string | null;
}

export function staleReason(s: LabState, k: ResultKeys | null | undefined): StaleReason {
  if (!k) return null;
  if (isStale(k.networkKey, s.currentNetworkKey)) return 'network';
  if (k.recipeKey != null && k.recipeKey !== recipeJson(s.recipe)) return 'recipe';
  return null;
}

/** "for an earlier network" / "for an earlier recipe" — what the stale label says. */
export function staleText(reason: Exclude<StaleReason, null>): string {
  return reason === 'network'
    ? 'For an earlier network (pruned, trained, imported or undone since)'
    : 'For an earlier recipe (edited since)';
}
