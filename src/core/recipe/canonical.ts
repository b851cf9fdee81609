/**
 * A recipe's canonical form and identity — the one way the lab decides whether two recipes are
 * the same (store keys, the URL, history records, the worker's measurement cache). Canonical:
 * fields in schema order, defaults left out (no global sparsity, 32-bit = not quantized, tensor
 * granularity, SigmaMax, no zero point, global allocation), empty per-layer maps dropped and layer
 * keys sorted — so equal recipes encode to equal strings. An activationMethod equal to the
 * weights' quantMethod is left out too (it is the default).
 *
 * Persisted: recipeJson() strings are stored as record keys (IndexedDB history), so its output
 * must not change. (A recipe run's checkpoint keeps its own comparison: compress/pipeline.)
 */
import type { LayerBits, Recipe } from './recipe';

/** Bits meaning "not quantized". */
export const FULL_PRECISION = 32;

function sortedRecord<T>(rec: Record<string, T> | undefined): Record<string, T> | undefined {
  if (!rec) return undefined;
  const keys = Object.keys(rec).sort();
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, rec[k]!]));
}

function cleanLayerBits(lb: LayerBits): LayerBits | undefined {
  const out: LayerBits = {};
  if (lb.weight !== undefined) out.weight = lb.weight;
  if (lb.activation !== undefined) out.activation = lb.activation;
  return out.weight === undefined && out.activation === undefined ? undefined : out;
}

/** The recipe with defaults removed and keys ordered (see the header). */
export function canonicalRecipe(r: Recipe): Recipe {
  const layerBits: Record<string, LayerBits> = {};
  for (const [k, v] of Object.entries(r.layerBits ?? {})) {
    const c = cleanLayerBits(v);
    if (c) layerBits[k] = c;
  }
  const full: Recipe = {
    sparsity: r.sparsity === 0 ? undefined : r.sparsity,
    layerSparsity: sortedRecord(r.layerSparsity),
    weightBits: r.weightBits === FULL_PRECISION ? undefined : r.weightBits,
    activationBits: r.activationBits === FULL_PRECISION ? undefined : r.activationBits,
    layerBits: sortedRecord(layerBits),
    weightGranularity: r.weightGranularity === 'tensor' ? undefined : r.weightGranularity,
    quantMethod: r.quantMethod === 'sigmamax' ? undefined : r.quantMethod,
    activationMethod:
      r.activationMethod === (r.quantMethod ?? 'sigmamax') ? undefined : r.activationMethod,
    activationZeroPoint: r.activationZeroPoint === false ? undefined : r.activationZeroPoint,
    sparsityAllocation: r.sparsityAllocation === 'global' ? undefined : r.sparsityAllocation,
    lambda: r.lambda,
    activationLambda: r.activationLambda,
    calibrationBatches: r.calibrationBatches,
    foldBN: r.foldBN,
    countingProfile: r.countingProfile,
    freebie: r.freebie,
    fineTune: r.fineTune,
    exitThreshold: r.exitThreshold,
    exitBlend: r.exitBlend === 0 ? undefined : r.exitBlend,
    prune: r.prune,
  };
  const out: Recipe = {};
  for (const [k, v] of Object.entries(full)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The recipe's identity: JSON of its canonical form ('{}' when empty). */
export function recipeJson(r: Recipe): string {
  return JSON.stringify(canonicalRecipe(r));
}
