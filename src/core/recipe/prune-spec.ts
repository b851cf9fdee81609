/**
 * The `prune` section of a recipe: structured pruning (issue 5). Channel pruning removes whole
 * channels of dependency groups (residual streams, SE pairs and depthwise convs move together);
 * eigenbasis pruning (EigenDamage / the seed's step 2) factorizes layers in their K-FAC
 * eigenbasis and drops the least salient directions.
 *   { "prune": { "method": "channels", "ratio": 0.2, "layerRatios": { "layer1.0.conv1": 0.5 } } }
 */
import { RecipeError } from './recipe-error';

export type PruneMethod = 'channels' | 'eigenbasis';

export interface PruneSpec {
  method: PruneMethod;
  /** Share of all prunable channels / eigen-directions to remove, by one global threshold. */
  ratio: number;
  /**
   * Per-layer (or channel-group id) ratios overriding the global threshold. A layer stands for
   * its whole dependency group in channel pruning; coupled layers must agree.
   */
  layerRatios?: Record<string, number>;
  /** Largest share one layer (side) may lose per prune step (default 0.5, the seed's). */
  limit?: number;
  /** Prune → fine-tune iterations of a schedule (default 1 = one shot). */
  iterations?: number;
  /** Grow-back ("annealing"): share of the last step's removals re-added after it (default 0). */
  growBack?: number;
  /** Schedule stopping rule: stop when top-1 on the validation records falls below this. */
  targetAccuracy?: number;
  /** Batches of training data for the K-FAC analysis (eigenbasis; default 8). */
  analysisBatches?: number;
}

const FIELDS = [
  'method',
  'ratio',
  'layerRatios',
  'limit',
  'iterations',
  'growBack',
  'targetAccuracy',
  'analysisBatches',
];

function bad(path: string, what: string, v: unknown): never {
  throw new RecipeError(`${path} must be ${what}, got ${JSON.stringify(v) ?? String(v)}`);
}

function fraction(path: string, v: unknown, max1 = false): void {
  if (v === undefined) return;
  const ok = typeof v === 'number' && v >= 0 && (max1 ? v <= 1 : v < 1);
  if (!ok) bad(path, max1 ? 'a number in [0, 1]' : 'a number in [0, 1)', v);
}

function positiveInt(path: string, v: unknown): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 1))
    bad(path, 'an integer ≥ 1', v);
}

/** Checks `recipe.prune`; throws a RecipeError naming the field and the bad value. */
export function validatePruneSpec(v: unknown, path = 'recipe.prune'): PruneSpec {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'an object', v);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k))
      throw new RecipeError(`${path} has unknown field '${k}' (known: ${FIELDS.join(', ')})`);
  if (o.method !== 'channels' && o.method !== 'eigenbasis')
    bad(`${path}.method`, "'channels' or 'eigenbasis'", o.method);
  if (o.ratio === undefined) bad(`${path}.ratio`, 'a number in [0, 1)', o.ratio);
  fraction(`${path}.ratio`, o.ratio);
  if (o.layerRatios !== undefined) {
    const r = o.layerRatios;
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      bad(`${path}.layerRatios`, 'an object keyed by layer name', r);
    for (const [k, x] of Object.entries(r))
      fraction(`${path}.layerRatios[${JSON.stringify(k)}]`, x);
  }
  fraction(`${path}.limit`, o.limit, true);
  positiveInt(`${path}.iterations`, o.iterations);
  fraction(`${path}.growBack`, o.growBack);
  fraction(`${path}.targetAccuracy`, o.targetAccuracy, true);
  positiveInt(`${path}.analysisBatches`, o.analysisBatches);
  return o as unknown as PruneSpec;
}
