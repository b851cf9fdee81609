/**
 * Immutable edits of a compression recipe (src/core/recipe) as the Score panel's controls make
 * them. Every edit returns the canonical form (core/recipe/canonical.ts) that the store keeps and
 * the URL carries.
 */
import {
  canonicalRecipe,
  FULL_PRECISION,
  type CountingProfile,
  type LayerBits,
  type QuantMethod,
  type Recipe,
  type SparsityAllocation,
  type WeightGranularity,
} from '../core/recipe/index';

export type BitsKind = 'weight' | 'activation';

/** Largest sparsity a slider offers. */
export const SPARSITY_MAX = 0.95;
/** Bit widths a picker offers: 2–16, then 32 (off). */
export const BIT_CHOICES: readonly number[] = [
  ...Array.from({ length: 15 }, (_, i) => i + 2),
  FULL_PRECISION,
];

/** A slider fraction rounded to 4 decimals and clamped to [0, SPARSITY_MAX]. */
export function roundSparsity(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`sparsity must be a finite number, got ${x}`);
  const c = Math.min(SPARSITY_MAX, Math.max(0, x));
  return Math.round(c * 1e4) / 1e4;
}

export function withSparsity(r: Recipe, s: number): Recipe {
  return canonicalRecipe({ ...r, sparsity: roundSparsity(s) });
}

/** Sets (or with null removes) one layer's own sparsity target. */
export function withLayerSparsity(r: Recipe, layer: string, s: number | null): Recipe {
  const next = { ...r.layerSparsity };
  if (s === null) delete next[layer];
  else next[layer] = roundSparsity(s);
  return canonicalRecipe({ ...r, layerSparsity: next });
}

/** Global weight / activation bits (32 = not quantized). */
export function withBits(r: Recipe, bits: Partial<Record<BitsKind, number>>): Recipe {
  return canonicalRecipe({
    ...r,
    weightBits: bits.weight ?? r.weightBits,
    activationBits: bits.activation ?? r.activationBits,
  });
}

/**
 * Sets one layer's bit override for `kind`; null removes that override (the layer follows the
 * global width again).
 */
export function withLayerBits(
  r: Recipe,
  layer: string,
  kind: BitsKind,
  bits: number | null,
): Recipe {
  const next = { ...r.layerBits };
  const cur: LayerBits = { ...next[layer] };
  if (bits === null) delete cur[kind];
  else cur[kind] = bits;
  next[layer] = cur;
  return canonicalRecipe({ ...r, layerBits: next });
}

export function withCountingProfile(r: Recipe, p: CountingProfile): Recipe {
  return canonicalRecipe({ ...r, countingProfile: p === 'official' ? undefined : p });
}

export function withFoldBN(r: Recipe, fold: boolean): Recipe {
  return canonicalRecipe({ ...r, foldBN: fold });
}

/** undefined: the default rule (freebie while nothing is below 16 bits); false: count 32-bit. */
export function withFreebie(r: Recipe, freebie: boolean | undefined): Recipe {
  return canonicalRecipe({ ...r, freebie });
}

/** Effective global bits of the recipe (32 when not quantized). */
export function globalBits(r: Recipe, kind: BitsKind): number {
  return (kind === 'weight' ? r.weightBits : r.activationBits) ?? FULL_PRECISION;
}

/**
 * How weights and activations are quantized and sparsity spread (recipe fields; defaults: the
 * seed's). `activationMethod` is the effective one (the recipe's, else quantMethod).
 */
export interface QuantChoices {
  weightGranularity: WeightGranularity;
  quantMethod: QuantMethod;
  activationMethod: QuantMethod;
  /** Unsigned activation codes with an integer zero point (needs activationMethod 'mse'). */
  activationZeroPoint: boolean;
  sparsityAllocation: SparsityAllocation;
}

export const QUANT_CHOICES_DEFAULT: QuantChoices = {
  weightGranularity: 'tensor',
  quantMethod: 'sigmamax',
  activationMethod: 'sigmamax',
  activationZeroPoint: false,
  sparsityAllocation: 'global',
};

/** The recipe's choices with the defaults filled in. */
export function quantChoices(r: Recipe): QuantChoices {
  const quantMethod = r.quantMethod ?? QUANT_CHOICES_DEFAULT.quantMethod;
  return {
    weightGranularity: r.weightGranularity ?? QUANT_CHOICES_DEFAULT.weightGranularity,
    quantMethod,
    activationMethod: r.activationMethod ?? quantMethod,
    activationZeroPoint: r.activationZeroPoint ?? QUANT_CHOICES_DEFAULT.activationZeroPoint,
    sparsityAllocation: r.sparsityAllocation ?? QUANT_CHOICES_DEFAULT.sparsityAllocation,
  };
}

/**
 * Sets some of the choices (the default values leave the canonical recipe). A zero point needs
 * least-squared-error activation exponents, so the edit never yields a recipe the schema
 * rejects: turning the zero point on (or moving the weights' exponent choice to SigmaMax while it
 * is on) pins activationMethod to 'mse'; picking SigmaMax for the activations themselves turns
 * the zero point off.
 */
export function withQuantChoices(r: Recipe, patch: Partial<QuantChoices>): Recipe {
  const next: Recipe = { ...r, ...patch };
  if (next.activationZeroPoint && (next.activationMethod ?? next.quantMethod) !== 'mse') {
    if (patch.activationMethod === 'sigmamax') next.activationZeroPoint = false;
    else next.activationMethod = 'mse';
  }
  return canonicalRecipe(next);
}
