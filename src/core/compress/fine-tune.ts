/**
 * Masked fine-tuning (SEED_PIPELINE.md steps 2–3): plain SGD training with train() at a constant
 * learning rate (or cosine-annealed: fineTuneSchedule), a MaskSet re-applied after every optimizer step (TrainOptions.afterStep) so that
 * masked weights stay exactly zero. Defaults follow recipe.fineTune: epochs 1, lr 1e-3, batch 32,
 * momentum 0.9, weight decay 5e-4. fineTuneKeepingZeros does it on graph + weights with the
 * weights' own exact zeros as the mask (a sparse checkpoint stays as sparse).
 * For the recipe pipeline (pipeline/run-recipe.ts) fineTuneMasked also takes a model other than
 * the plain network (QAT), distillation / extra-head losses, and an optimizer + start epoch +
 * epoch-end hook so that a run checkpoints and resumes (saveMomentum / loadMomentum).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SEED_AUGMENT, STANDARD_AUGMENT, type AugmentOptions } from '../data/augment';
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
import type { FineTuneSettings } from '../recipe';
import type { TrainControl } from '../train/control';
import { networkModel } from '../train/network-model';
import type { LrSchedule } from '../train/schedule';
import { Sgd, type SgdConfig } from '../train/sgd';
import { train, type EpochSummary, type TrainMetrics, type TrainOptions } from '../train/trainer';
import type { BatchSource, TrainableModel } from '../train/types';
import { MaskSet } from './sparsity/mask-set';
import { zeroMasks } from './sparsity/zero-masks';

export interface FineTuneOptions {
  source: BatchSource;
  settings?: FineTuneSettings;
  /** Batch size when `settings.batchSize` is unset (default 32). */
  batchSize?: number;
  /** Factor on the learning rate (default 1). */
  lrScale?: number;
  seed: number;
  control?: TrainControl;
  /** Cap on optimizer steps (tests, quick runs). */
  maxSteps?: number;
  onMetrics?: (m: TrainMetrics) => void;
  /** Start of the error thrown when training diverges: `${label} diverged: …`. */
  label: string;
  /** What train() differentiates (default networkModel(net)); must train `net`'s variables. */
  model?: TrainableModel;
  /** Distillation and extra-output losses, passed to train() as they are. */
  losses?: Pick<TrainOptions, 'distill' | 'extraLossWeights'>;
  /** An optimizer to continue with (default a fresh one, fineTuneSgdConfig(settings)). */
  optimizer?: Sgd;
  /** First epoch to run (resume); shuffles continue as if the epochs before had run. */
  startEpoch?: number;
  /** Awaited after every whole epoch (checkpoints). */
  onEpochEnd?: (s: EpochSummary) => void | Promise<void>;
}

/** The SGD configuration fine-tuning uses (momentum 0.9, weight decay 5e-4 by default). */
export function fineTuneSgdConfig(ft: FineTuneSettings = {}): SgdConfig {
  return { momentum: ft.momentum ?? 0.9, weightDecay: ft.weightDecay ?? 5e-4 };
}

/** The learning-rate schedule of one fine-tuning phase (constant unless lrSchedule 'cosine'). */
export function fineTuneSchedule(ft: FineTuneSettings, lrScale = 1): LrSchedule {
  const lr = (ft.learningRate ?? 1e-3) * lrScale;
  if (ft.lrSchedule !== 'cosine') return { kind: 'constant', lr };
  return { kind: 'cosine', lr, minLr: (ft.minLearningRate ?? 0) * lrScale };
}

/** The augmentation fine-tuning asks of its training source (null: none). */
export function fineTuneAugment(ft: FineTuneSettings = {}): AugmentOptions | null {
  if (ft.augment === 'standard') return STANDARD_AUGMENT;
  if (ft.augment === 'seed') return SEED_AUGMENT;
  return null;
}

/** A saved tensor (momentum buffer) as plain data. */
export interface SavedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The optimizer's momentum buffers of `names` that exist yet, downloaded. */
export async function saveMomentum(
  optimizer: Sgd,
  names: readonly string[],
): Promise<SavedTensor[]> {
  const out: SavedTensor[] = [];
  for (const name of names) {
    const b = optimizer.buffer(name);
    if (!b) continue;
    out.push({ name, shape: [...b.shape], data: ((await b.data()) as Float32Array).slice() });
  }
  return out;
}

/** Sets momentum buffers saved by saveMomentum. */
export function loadMomentum(optimizer: Sgd, saved: readonly SavedTensor[]): void {
  for (const m of saved) {
    const t = tf.tensor(m.data.slice(), m.shape, 'float32');
    optimizer.setBuffer(m.name, t);
    t.dispose();
  }
}

/** Trains `net` in place, `masks` re-applied after every step; throws when training diverges. */
export async function fineTuneMasked(
  net: Network,
  masks: MaskSet,
  o: FineTuneOptions,
): Promise<'completed' | 'cancelled'> {
  const ft = o.settings ?? {};
  const r = await train({
    model: o.model ?? networkModel(net),
    afterStep: () => masks.apply(net),
    source: o.source,
    epochs: ft.epochs ?? 1,
    batchSize: ft.batchSize ?? o.batchSize ?? 32,
    schedule: fineTuneSchedule(ft, o.lrScale ?? 1),
    sgd: fineTuneSgdConfig(ft),
    seed: o.seed,
    control: o.control,
    maxSteps: o.maxSteps,
    onMetrics: o.onMetrics,
    ...o.losses,
    optimizer: o.optimizer,
    startEpoch: o.startEpoch,
    onEpochEnd: o.onEpochEnd,
    epochImages: ft.epochImages,
  });
  if (r.status === 'diverged') throw new Error(`${o.label} diverged: ${r.message}`);
  return r.status;
}

/**
 * Fine-tunes graph + weights with their exact zeros kept at zero; returns the new weights (`w`
 * itself when `settings.epochs` is 0), or null when cancelled.
 */
export async function fineTuneKeepingZeros(
  g: Graph,
  w: Weights,
  o: FineTuneOptions,
): Promise<Weights | null> {
  if (o.settings?.epochs === 0) return w;
  const net = Network.fromWeights(g, w);
  const keep = MaskSet.fromMasks(net, zeroMasks(g, w));
  try {
    if ((await fineTuneMasked(net, keep, o)) === 'cancelled') return null;
    return await net.toWeightsAsync();
  } finally {
    keep.dispose();
    net.dispose();
  }
}
