/**
 * The worker's one current network as the main thread sees it: where it came from (also kept by
 * persist), its summary, and a zoo model's name and size.
 */
import type { Recipe } from '../core/recipe/index';

/** Where the worker's current network came from (shown by the store, kept by persist). */
export type NetworkOrigin = 'initialised' | 'trained' | 'imported';

/** The worker's one current network, which Evaluate and Export use. */
export interface NetworkInfo {
  /** Graph name, e.g. "osi-micronet" or "tiny". */
  name: string;
  origin: NetworkOrigin;
  /** File name or URL it was imported from; null otherwise. */
  source: string | null;
  params: number;
  /** Keys of the graph's extra outputs, e.g. ["exit"]. */
  extraOutputs: string[];
  /** Set when the network came from a compressed checkpoint: the recipe it was compressed with. */
  compressedRecipe?: Recipe;
}

export interface ModelInfo {
  name: string;
  params: number;
}
