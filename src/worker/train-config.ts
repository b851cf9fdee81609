/**
 * What a training run is asked (TrainConfig): its check (errors name the bad value), the
 * augmentation it maps to, and its time budget (a timer that stops the run's TrainControl).
 */
import type { AugmentOptions } from '../core/data/augment';
import type { TrainControl } from '../core/train/control';
import type { AugmentConfig, TrainConfig } from './lab-types';

export function augmentOptions(a: AugmentConfig): AugmentOptions | null {
  if (!a.cropFlip && !a.cutout && !a.autoAugment) return null;
  return {
    pad: a.cropFlip ? 4 : 0,
    flip: a.cropFlip,
    cutout: a.cutout ? 16 : 0,
    autoAugment: a.autoAugment,
  };
}

export function checkConfig(c: TrainConfig): void {
  if (!Number.isInteger(c.epochs) || c.epochs < 1)
    throw new Error(`epochs must be ≥ 1, got ${c.epochs}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 2) {
    throw new Error(`batch size must be a whole number ≥ 2, got ${c.batchSize}`);
  }
  if (!(c.learningRate > 0)) throw new Error(`learning rate must be > 0, got ${c.learningRate}`);
  const limit = c.limit ?? null;
  if (limit !== null && !(Number.isInteger(limit) && limit >= c.batchSize))
    throw new Error(`training images must be a whole number ≥ the batch size, got ${limit}`);
  const budget = c.maxSeconds ?? null;
  if (budget !== null && !(budget > 0)) throw new Error(`time budget must be > 0 s, got ${budget}`);
}

/** Stops `control` after `seconds` (null: never); returns whether it did, and a disposer. */
export function timeBudget(seconds: number | null, control: TrainControl) {
  const state = { reached: false };
  const timer =
    seconds === null
      ? null
      : setTimeout(() => {
          state.reached = true;
          control.cancel();
        }, seconds * 1000);
  return { state, clear: () => timer !== null && clearTimeout(timer) };
}
