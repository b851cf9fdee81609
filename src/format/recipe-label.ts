/**
 * A recipe as text for people: a short label ("sparsity 50 %, 8-bit weights, 2 layer overrides")
 * and flat field rows for a side-by-side comparison (pure; unit-tested).
 */
import type { Recipe } from '../core/recipe/index';
import { formatPercent } from './format';

/** Recipe fields as flat rows: "sparsity", "layerSparsity.conv3", "layerBits.fc.weight", … */
export function flattenRecipe(r: Recipe): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(`${prefix}.${k}`, x);
    } else out[prefix] = JSON.stringify(v);
  };
  for (const [k, v] of Object.entries(r)) walk(k, v);
  return out;
}

const bits = (n: number | undefined, what: string) => (n === undefined ? [] : [`${n}-bit ${what}`]);

/** A short label of a recipe: "sparsity 50 %, 8-bit weights, 2 layer overrides" or "as is". */
export function describeRecipe(r: Recipe): string {
  const parts: string[] = [];
  if (r.sparsity !== undefined) parts.push(`sparsity ${formatPercent(r.sparsity, 0)}`);
  parts.push(...bits(r.weightBits, 'weights'), ...bits(r.activationBits, 'activations'));
  const overrides = new Set([
    ...Object.keys(r.layerSparsity ?? {}),
    ...Object.keys(r.layerBits ?? {}),
  ]).size;
  if (overrides > 0) parts.push(`${overrides} layer override${overrides === 1 ? '' : 's'}`);
  if (r.countingProfile === 'seed') parts.push("seed's counter");
  if (r.foldBN === false) parts.push('BN unfolded');
  if (r.freebie === false) parts.push('no freebie');
  return parts.length > 0 ? parts.join(', ') : 'as is';
}
