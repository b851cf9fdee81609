/**
 * Sparsity masks as tensors for a live Network: after every optimizer step, apply() multiplies
 * each masked `.weight` variable by its 0/1 mask, so pruned weights stay exactly zero through
 * momentum and weight decay (the update may move them; the mask puts them back).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../../graph/network';

interface MaskEntry {
  param: string;
  /** 1 = kept, 0 = pruned; the weight's shape, float32. */
  mask: tf.Tensor;
}

export class MaskSet {
  private disposed = false;

  private constructor(private readonly entries: MaskEntry[]) {}

  /**
   * Mask tensors for `net` from layer name → Uint8Array masks (magnitudeMasks). Masks without
   * a zero are skipped (nothing to hold).
   */
  static fromMasks(net: Network, masks: ReadonlyMap<string, Uint8Array>): MaskSet {
    const entries: MaskEntry[] = [];
    try {
      for (const [layer, mask] of masks) {
        const param = `${layer}.weight`;
        const v = net.getTensor(param);
        if (mask.length !== v.size) {
          throw new Error(
            `MaskSet: mask of '${layer}' has ${mask.length} entries, '${param}' has ${v.size}`,
          );
        }
        if (mask.every((m) => m === 1)) continue;
        entries.push({ param, mask: tf.tensor(Float32Array.from(mask), v.shape, 'float32') });
      }
    } catch (e) {
      for (const x of entries) x.mask.dispose();
      throw e;
    }
    return new MaskSet(entries);
  }

  /** Number of masked weight tensors held. */
  get size(): number {
    return this.entries.length;
  }

  /** w ← w · mask for every masked weight of `net`. */
  apply(net: Network): void {
    if (this.disposed) throw new Error('MaskSet: apply() after dispose()');
    tf.tidy(() => {
      for (const { param, mask } of this.entries) {
        const v = net.getTensor(param);
        v.assign(tf.mul(v, mask));
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    for (const { mask } of this.entries) mask.dispose();
    this.disposed = true;
  }
}
