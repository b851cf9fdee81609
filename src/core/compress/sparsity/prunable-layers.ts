/**
 * Which weights magnitude pruning may touch, and how a recipe's sparsity fields become counts.
 * Prunable layers are the conv2d, depthwise2d and dense nodes (graph order); only their
 * `${name}.weight` is pruned — biases and batch norm never are. See README.md for the semantics.
 */
import type { Graph, OpName, Weights } from '../../graph/ir';
import type { Recipe } from '../../recipe';

export const PRUNABLE_OPS: ReadonlySet<OpName> = new Set(['conv2d', 'depthwise2d', 'dense']);

/** Node names of the prunable layers, in graph (topological) order. */
export function prunableLayers(graph: Graph): string[] {
  return graph.nodes.filter((n) => PRUNABLE_OPS.has(n.spec.op)).map((n) => n.name);
}

/** The flat weight values of one prunable layer; throws naming the missing parameter. */
export function layerWeight(weights: Weights, layer: string): Float32Array {
  const w = weights.get(`${layer}.weight`);
  if (!w) throw new Error(`sparsity: weights have no '${layer}.weight'`);
  return w.data;
}

/** recipe.sparsity, checked to be in [0, 1) (default 0). */
export function globalSparsity(recipe: Recipe): number {
  const s = recipe.sparsity ?? 0;
  if (!(s >= 0 && s < 1)) throw new Error(`recipe.sparsity must be a number in [0, 1), got ${s}`);
  return s;
}

/**
 * recipe.layerSparsity as a Map over `layers`; throws on a name that is not a prunable layer
 * or a target outside [0, 1).
 */
export function layerTargets(layers: readonly string[], recipe: Recipe): Map<string, number> {
  const known = new Set(layers);
  const out = new Map<string, number>();
  for (const [name, t] of Object.entries(recipe.layerSparsity ?? {})) {
    if (!known.has(name)) {
      const some = layers.slice(0, 4).join(', ');
      throw new Error(
        `recipe.layerSparsity names '${name}', which is not a conv/depthwise/dense layer (e.g. ${some})`,
      );
    }
    if (!(t >= 0 && t < 1)) {
      throw new Error(`recipe.layerSparsity[${JSON.stringify(name)}] must be in [0, 1), got ${t}`);
    }
    out.set(name, t);
  }
  return out;
}

/** Zeros a layer with a per-layer target t ends with: max(existing zeros, round(t·n)). */
export function targetZeros(zeros: number, n: number, t: number): number {
  return Math.max(zeros, Math.round(t * n));
}

/** A layer's size and existing zeros (what allocation needs). */
export interface LayerCount {
  name: string;
  size: number;
  zeros: number;
}

/**
 * recipe.sparsityAllocation 'uniform': recipe.sparsity becomes a per-layer target for every
 * layer without one — each removes the fraction s of its own non-zero weights (final zeros
 * z + s·(n − z)) — instead of one global magnitude threshold. 'global' (default): unchanged.
 */
export function allocateSparsity(recipe: Recipe, layers: readonly LayerCount[]): Recipe {
  const s = globalSparsity(recipe);
  if (recipe.sparsityAllocation !== 'uniform' || s === 0) return recipe;
  const targets = layerTargets(
    layers.map((l) => l.name),
    recipe,
  );
  const layerSparsity: Record<string, number> = Object.fromEntries(targets);
  for (const l of layers) {
    if (!targets.has(l.name)) layerSparsity[l.name] = (l.zeros + s * (l.size - l.zeros)) / l.size;
  }
  return { ...recipe, sparsity: 0, layerSparsity };
}
