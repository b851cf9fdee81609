/**
 * Recipe-dependent inputs of the counter, resolved per scoring call: bit widths (with the 16-bit
 * freebie rule of the MicroNet Challenge) and each prunable layer's effective weight sparsity.
 */
import { minRecipeBits, type Recipe } from '../recipe';
import type { ScoreTable } from './score-table';

/** Caller-supplied, weight-derived inputs of scoreNetwork(). */
export interface ScoreContext {
  /**
   * Effective sparsity per prunable layer (caller computed it from the weights, e.g. with the
   * global magnitude threshold of recipe.sparsity). Authoritative where given.
   */
  layerSparsity?: Record<string, number>;
  /** Zero fraction of each layer's weights as they are (e.g. a pruned checkpoint's zeros). */
  layerZeroFraction?: Record<string, number>;
  /**
   * Fraction of images leaving at the early exit, in [0, 1]. Undefined: no early exit (the exit
   * head, if any, is not counted at all).
   */
  exitRate?: number;
  /** Build the per-layer breakdown (default true). */
  detail?: boolean;
}

export interface ResolvedBits {
  freebie: boolean;
  /** Per-layer weight / activation widths (after the freebie), by table row. */
  weight(name: string): number;
  activation(name: string): number;
  /** Width of the activations entering non-parametric ops and unfoldable BNs. */
  defaultWeight: number;
  defaultActivation: number;
}

export function own<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  return rec !== undefined && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** Freebie: on unless disabled or anything is quantized below 16 bits; then 16/16, adds 32. */
export function resolveBits(recipe: Recipe): ResolvedBits {
  const freebie = recipe.freebie !== false && minRecipeBits(recipe) >= 16;
  if (freebie) {
    return {
      freebie,
      weight: () => 16,
      activation: () => 16,
      defaultWeight: 16,
      defaultActivation: 16,
    };
  }
  const w = recipe.weightBits ?? 32;
  const a = recipe.activationBits ?? 32;
  const lb = recipe.layerBits;
  return {
    freebie,
    weight: (name) => own(lb, name)?.weight ?? w,
    activation: (name) => own(lb, name)?.activation ?? a,
    defaultWeight: w,
    defaultActivation: a,
  };
}

function checkFraction(where: string, name: string, v: unknown, max: number): void {
  if (typeof v !== 'number' || !(v >= 0 && v <= max)) {
    throw new Error(`${where}[${JSON.stringify(name)}] must be a number in [0, ${max}], got ${v}`);
  }
}

/** Every key must name a prunable layer of the table (catches typos and stale names). */
function checkLayerKeys(table: ScoreTable, where: string, rec: object | undefined): void {
  if (rec === undefined) return;
  for (const k of Object.keys(rec)) {
    if (!table.prunable.has(k)) {
      const some = [...table.prunable.keys()].slice(0, 4).join(', ');
      throw new Error(
        `${where} names '${k}', which is not a conv/depthwise/dense layer of '${table.graphName}' (e.g. ${some})`,
      );
    }
  }
}

export function checkContext(table: ScoreTable, recipe: Recipe, ctx: ScoreContext): void {
  checkLayerKeys(table, 'recipe.layerSparsity', recipe.layerSparsity);
  checkLayerKeys(table, 'recipe.layerBits', recipe.layerBits);
  checkLayerKeys(table, 'context.layerSparsity', ctx.layerSparsity);
  checkLayerKeys(table, 'context.layerZeroFraction', ctx.layerZeroFraction);
  for (const [k, v] of Object.entries(ctx.layerSparsity ?? {}))
    checkFraction('context.layerSparsity', k, v, 1);
  for (const [k, v] of Object.entries(ctx.layerZeroFraction ?? {}))
    checkFraction('context.layerZeroFraction', k, v, 1);
  if (ctx.exitRate !== undefined) {
    if (!(ctx.exitRate >= 0 && ctx.exitRate <= 1)) {
      throw new Error(`context.exitRate must be a number in [0, 1], got ${ctx.exitRate}`);
    }
    if (!table.hasExit) {
      throw new Error(
        `context.exitRate ${ctx.exitRate} given but the table of '${table.graphName}' has no early-exit output (build it with options.exitOutput)`,
      );
    }
  }
}

/**
 * Effective sparsity of one prunable layer: the caller's map if it has the layer; else the
 * layer's existing zeros, raised to recipe.layerSparsity where that is higher. A global
 * recipe.sparsity > 0 cannot be spread over layers without the weights: it needs the map.
 */
export function layerSparsityOf(name: string, recipe: Recipe, ctx: ScoreContext): number {
  const given = own(ctx.layerSparsity, name);
  if (given !== undefined) return given;
  const zeros = own(ctx.layerZeroFraction, name) ?? 0;
  const target = own(recipe.layerSparsity, name);
  if (target !== undefined) return Math.max(zeros, target);
  if ((recipe.sparsity ?? 0) > 0) {
    throw new Error(
      `recipe.sparsity ${recipe.sparsity} is a global magnitude threshold: pass each layer's effective sparsity, computed from the weights, as context.layerSparsity (missing '${name}')`,
    );
  }
  return zeros;
}
