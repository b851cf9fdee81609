/**
 * Masked fine-tuning (SEED_PIPELINE.md steps 2–3): plain SGD training with train() at a constant
 * learning rate, a MaskSet re-applied after every optimizer step (TrainOptions.afterStep) so that
 * masked weights stay exactly zero. Defaults follow recipe.fineTune: epochs 1, lr 1e-3, batch 32,
 * momentum 0.9, weight decay 5e-4. fineTuneKeepingZeros does it on graph + weights with the
 * weights' own exact zeros as the mask (a sparse checkpoint stays as sparse).
 */
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
import type { FineTuneSettings } from '../score/recipe';
import type { TrainControl } from '../train/control';
import { networkModel } from '../train/network-model';
import { train, type TrainMetrics } from '../train/trainer';
import type { BatchSource } from '../train/types';
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
}

/** Trains `net` in place, `masks` re-applied after every step; throws when training diverges. */
export async function fineTuneMasked(
  net: Network,
  masks: MaskSet,
  o: FineTuneOptions,
): Promise<'completed' | 'cancelled'> {
  const ft = o.settings ?? {};
  const r = await train({
    model: networkModel(net),
    afterStep: () => masks.apply(net),
    source: o.source,
    epochs: ft.epochs ?? 1,
    batchSize: ft.batchSize ?? o.batchSize ?? 32,
    schedule: { kind: 'constant', lr: (ft.learningRate ?? 1e-3) * (o.lrScale ?? 1) },
    sgd: { momentum: ft.momentum ?? 0.9, weightDecay: ft.weightDecay ?? 5e-4 },
    seed: o.seed,
    control: o.control,
    maxSteps: o.maxSteps,
    onMetrics: o.onMetrics,
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
