/** A CIFAR split as the trainer's BatchSource: normalised NHWC batches, optional augmentation. */
import type { AugmentOptions } from '../data/augment';
import { makeBatch } from '../data/normalize';
import type { CifarSplit } from '../data/types';
import type { BatchSource } from './types';

/** `augment` = the policy used when the trainer asks for augmented batches (null: never). */
export function cifarSource(split: CifarSplit, augment: AugmentOptions | null): BatchSource {
  return {
    size: split.count,
    imageShape: [32, 32, 3],
    batch: (indices, aug, rng) => makeBatch(split, indices, aug && augment ? { augment, rng } : {}),
  };
}
