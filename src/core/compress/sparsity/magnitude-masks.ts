/**
 * Exact magnitude pruning masks (unstructured magnitude pruning, Han et al. 2015; one global
 * threshold as in the seed pipeline, SEED_PIPELINE.md step 3). Masks are 1 = kept, 0 = pruned,
 * one Uint8Array per prunable layer, index-aligned with its `.weight`.
 *
 * - Global s = recipe.sparsity: pool the non-zero |w| of every prunable layer WITHOUT a
 *   recipe.layerSparsity entry and zero the round(s · poolSize) smallest, ties broken by
 *   (layer order, index). Existing zeros stay zero.
 * - Per-layer target t: that layer ends with max(existing zeros, round(t · n)) zeros, removing
 *   its own smallest non-zero |w| (ties by index).
 * Selection is a radix select over the |w| bit patterns (magnitude-bits.ts): linear time.
 */
import type { Graph, Weights } from '../../graph/ir';
import type { Recipe } from '../../recipe';
import { absBits, bitsOf, countNonZero, selectKth } from './magnitude-bits';
import {
  allocateSparsity,
  globalSparsity,
  layerTargets,
  layerWeight,
  prunableLayers,
  targetZeros,
} from './prunable-layers';

/** One prunable layer's weights as bits plus its counts. */
export interface LayerBits {
  name: string;
  bits: Uint32Array;
  size: number;
  zeros: number;
}

/** Removal counts: `globalRemove` from the pool, `layerZeros` = final zeros of other layers. */
export interface PruneCounts {
  /** Non-zero weights of the pool (layers not in layerZeros) to zero, smallest |w| first. */
  globalRemove: number;
  /** Layer name → total zeros it must end with (never fewer than it has). */
  layerZeros: ReadonlyMap<string, number>;
}

/** Every prunable layer's weight bits and zero count, in graph order. */
export function layerBits(graph: Graph, weights: Weights): LayerBits[] {
  return prunableLayers(graph).map((name) => {
    const bits = bitsOf(layerWeight(weights, name));
    return { name, bits, size: bits.length, zeros: bits.length - countNonZero(bits, name) };
  });
}

/** Non-zero weights of the layers that have no per-layer target. */
export function poolSize(layers: readonly LayerBits[], targeted: { has(k: string): boolean }) {
  return layers.reduce((s, l) => (targeted.has(l.name) ? s : s + l.size - l.zeros), 0);
}

/** Mask of `arrays` zeroing the `remove` smallest non-zero |w| (ties in array, index order). */
function maskSmallest(arrays: readonly Uint32Array[], remove: number): Uint8Array[] {
  let [v, ties] = [0, 0]; // keep |w| > v, plus the equal ones after the first `ties`
  if (remove > 0) {
    const kth = selectKth(arrays, remove);
    [v, ties] = [kth.bits, remove - kth.less];
  }
  let taken = 0;
  return arrays.map((a) => {
    const mask = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const b = absBits(a[i]!);
      mask[i] = b > v || (b === v && b !== 0 && taken++ >= ties) ? 1 : 0;
    }
    return mask;
  });
}

/** Masks for explicit removal counts (gradualPrune uses this; magnitudeMasks wraps it). */
export function masksForCounts(
  layers: readonly LayerBits[],
  counts: PruneCounts,
): Map<string, Uint8Array> {
  const pool = layers.filter((l) => !counts.layerZeros.has(l.name));
  const available = poolSize(layers, counts.layerZeros);
  const g = counts.globalRemove;
  if (!Number.isInteger(g) || g < 0 || g > available) {
    throw new Error(`sparsity: globalRemove must be an integer in [0, ${available}], got ${g}`);
  }
  const masks = new Map<string, Uint8Array>();
  const poolMasks = maskSmallest(
    pool.map((l) => l.bits),
    g,
  );
  pool.forEach((l, i) => masks.set(l.name, poolMasks[i]!));
  for (const l of layers) {
    const z = counts.layerZeros.get(l.name);
    if (z === undefined) continue;
    if (!Number.isInteger(z) || z > l.size) {
      throw new Error(`sparsity: '${l.name}' cannot end with ${z} zeros of ${l.size} weights`);
    }
    masks.set(l.name, maskSmallest([l.bits], Math.max(0, z - l.zeros))[0]!);
  }
  return new Map(layers.map((l) => [l.name, masks.get(l.name)!]));
}

/** Recipe → removal counts for the given layers (see the module comment). */
export function recipeCounts(layers: readonly LayerBits[], recipeIn: Recipe): PruneCounts {
  const recipe = allocateSparsity(recipeIn, layers);
  const s = globalSparsity(recipe);
  const targets = layerTargets(
    layers.map((l) => l.name),
    recipe,
  );
  const layerZeros = new Map<string, number>();
  for (const l of layers) {
    const t = targets.get(l.name);
    if (t !== undefined) layerZeros.set(l.name, targetZeros(l.zeros, l.size, t));
  }
  return { globalRemove: Math.round(s * poolSize(layers, targets)), layerZeros };
}

/** Exact masks (layer name → 1 = kept) for recipe.sparsity / recipe.layerSparsity. */
export function magnitudeMasks(
  graph: Graph,
  weights: Weights,
  recipe: Recipe,
): Map<string, Uint8Array> {
  const layers = layerBits(graph, weights);
  return masksForCounts(layers, recipeCounts(layers, recipe));
}

/** A new Weights map: masked `.weight`s are zeroed copies; every other entry is shared. */
export function applyMasks(weights: Weights, masks: ReadonlyMap<string, Uint8Array>): Weights {
  const out: Weights = new Map(weights);
  for (const [layer, mask] of masks) {
    const w = weights.get(`${layer}.weight`);
    if (!w) throw new Error(`applyMasks: weights have no '${layer}.weight'`);
    if (w.data.length !== mask.length) {
      throw new Error(
        `applyMasks: mask of '${layer}' has ${mask.length} entries, weight has ${w.data.length}`,
      );
    }
    const data = new Float32Array(w.data.length);
    for (let i = 0; i < data.length; i++) data[i] = mask[i] ? w.data[i]! : 0;
    out.set(`${layer}.weight`, { shape: [...w.shape], data });
  }
  return out;
}

/** Fraction of zeros (pruned entries) of each mask. */
export function maskSparsity(masks: ReadonlyMap<string, Uint8Array>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [layer, mask] of masks) {
    let kept = 0;
    for (let i = 0; i < mask.length; i++) kept += mask[i]!;
    out[layer] = (mask.length - kept) / mask.length;
  }
  return out;
}

/** Fraction of exact zeros in each prunable layer's `.weight`, as the weights are. */
export function layerZeroFractions(graph: Graph, weights: Weights): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of layerBits(graph, weights)) out[l.name] = l.zeros / l.size;
  return out;
}
