/**
 * Masks that keep a network's existing zeros at zero through fine-tuning (the seed fine-tunes
 * with gradients masked where |w| = 0): layer → 1 where the weight is non-zero, for every prunable
 * layer that has at least one exact zero.
 */
import type { Graph, Weights } from '../../graph/ir';
import { prunableLayers } from './prunable-layers';

export function zeroMasks(graph: Graph, weights: Weights): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const layer of prunableLayers(graph)) {
    const w = weights.get(`${layer}.weight`);
    if (!w) throw new Error(`zeroMasks: weights have no '${layer}.weight'`);
    if (!w.data.includes(0)) continue;
    out.set(
      layer,
      Uint8Array.from(w.data, (v) => (v === 0 ? 0 : 1)),
    );
  }
  return out;
}
