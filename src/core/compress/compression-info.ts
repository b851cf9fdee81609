/**
 * What a compressed network carries beyond its weights — the recipe it was compressed with and
 * the activation quantizers of its layer inputs — as it travels in a lab checkpoint's `info`
 * (`{ compression: { recipe, activationQuant } }`): the safetensors twin of an export, the
 * lab's own checkpoint of an imported .mnlc, the session's saved network.
 */
import { validateRecipe, type Recipe } from '../recipe';
import type { ActivationQuant } from './quant/calibrate';

export interface Compression {
  recipe: Recipe;
  /** Layer name → quantizer of the activation entering it (layers with bits < 32). */
  activationQuant: Record<string, ActivationQuant>;
}

/** The info entry for `c` (spread it into a lab checkpoint's info). */
export function compressionInfo(c: Compression): { compression: Compression } {
  return { compression: { recipe: c.recipe, activationQuant: c.activationQuant } };
}

function isQuant(q: unknown): q is ActivationQuant {
  if (typeof q !== 'object' || q === null) return false;
  const { bits, bp, mean, std, zeroPoint } = q as Record<string, unknown>;
  const finite = [bits, bp, mean, std].every((v) => typeof v === 'number' && Number.isFinite(v));
  return finite && (zeroPoint === undefined || Number.isInteger(zeroPoint));
}

/**
 * The compression a lab checkpoint's info carries; null when it has none. A malformed entry is
 * an error naming what is wrong (the file would otherwise run as a different model).
 */
export function compressionOf(
  info: Record<string, unknown>,
  fileName = 'checkpoint',
): Compression | null {
  const c = info.compression;
  if (c === undefined) return null;
  const { recipe, activationQuant } = (c ?? {}) as Record<string, unknown>;
  if (typeof activationQuant !== 'object' || activationQuant === null) {
    throw new Error(`${fileName}: info.compression.activationQuant is not an object`);
  }
  for (const [layer, q] of Object.entries(activationQuant)) {
    if (!isQuant(q)) {
      throw new Error(
        `${fileName}: info.compression.activationQuant[${JSON.stringify(layer)}] is not {bits, bp, mean, std}`,
      );
    }
  }
  return {
    recipe: validateRecipe(recipe as Recipe),
    activationQuant: activationQuant as Record<string, ActivationQuant>,
  };
}
