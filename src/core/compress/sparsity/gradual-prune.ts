/**
 * Gradual magnitude pruning with fine-tuning (Zhu & Gupta 2017 schedule or the seed's equal
 * steps, SEED_PIPELINE.md step 3). For each target s_t of pruneTargets(recipe.sparsity, T, kind):
 *   1. masks on the CURRENT weights: the global pool loses round(s_t · P₀) − (already removed)
 *      more of its smallest |w|, P₀ being the pool's non-zeros at the START — so the final extra
 *      sparsity is recipe.sparsity, relative to the weights' original zeros; a layer with a
 *      per-layer target t ends the step with max(its zeros, round(t_t · n)) zeros, t_t following
 *      the same schedule towards t;
 *   2. apply them, then fine-tune with fineTuneMasked (../fine-tune.ts; recipe.fineTune: epochs
 *      1, lr 1e-3 constant, batch 32, momentum 0.9, weight decay 5e-4 by default), re-applying
 *      the masks after every optimizer step.
 * For the recipe pipeline (../pipeline) a run can also fine-tune another model of the same
 * network (`model`, e.g. QAT), with distillation / exit-head losses (`losses`), report every
 * epoch's and step's end with the optimizer and masks (checkpoints), and continue a run from such
 * a point (`resume`, with `planFrom` = the network as the run started, as the plan needs it).
 */
import type { TensorData, Weights } from '../../graph/ir';
import type { Network } from '../../graph/network';
import type { Recipe } from '../../recipe';
import type { TrainControl } from '../../train/control';
import { Sgd } from '../../train/sgd';
import type { TrainMetrics, TrainOptions } from '../../train/trainer';
import type { BatchSource, TrainableModel } from '../../train/types';
import { fineTuneMasked, fineTuneSgdConfig, loadMomentum, type SavedTensor } from '../fine-tune';
import {
  layerBits,
  masksForCounts,
  type LayerBits,
  maskSparsity,
  poolSize,
  type PruneCounts,
} from './magnitude-masks';
import { MaskSet } from './mask-set';
import { pruneTargets } from './prune-schedule';
import {
  allocateSparsity,
  globalSparsity,
  layerTargets,
  prunableLayers,
  targetZeros,
} from './prunable-layers';

export interface GradualPruneProgress {
  /** 1-based prune step and their number. */
  step: number;
  steps: number;
  /** Fraction of all prunable weights masked after this step's pruning. */
  sparsity: number;
  phase: 'prune' | 'fine-tune';
  metrics?: TrainMetrics;
}

export interface GradualPruneOptions {
  net: Network;
  source: BatchSource;
  recipe: Recipe;
  seed: number;
  control?: TrainControl;
  onProgress?: (p: GradualPruneProgress) => void;
  /** Cap on the optimizer steps of each fine-tuning phase (tests, quick runs). */
  maxFineTuneSteps?: number;
  /** The network the schedule is planned from: the run's start (default `net`; see resume). */
  planFrom?: Network;
  /** Continue a run from a point an onEpochEnd / onStepEnd reported (net holds its weights). */
  resume?: GradualPruneResume;
  /** The model step k (0-based) fine-tunes (default the plain net); `resumed`: mid-step. */
  model?: (step: number, resumed: boolean) => Promise<TrainableModel>;
  /** Distillation / extra-output losses of every fine-tuning phase. */
  losses?: Pick<TrainOptions, 'distill' | 'extraLossWeights'>;
  /** Awaited after each fine-tuning epoch but a step's last (the step's end follows it). */
  onEpochEnd?: (p: GradualPruneEpochEnd) => Promise<void>;
  /** Awaited after each prune step, its fine-tuning done. */
  onStepEnd?: (p: { stepsDone: number; masks: Map<string, Uint8Array> }) => Promise<void>;
}

/** Where a run stands: `stepsDone` steps finished, `epochsDone` epochs of the next one. */
export interface GradualPruneResume {
  stepsDone: number;
  epochsDone: number;
  /** The masks of step `stepsDone` (needed when epochsDone > 0). */
  masks: Map<string, Uint8Array> | null;
  /** That step's momentum buffers after those epochs. */
  momentum: readonly SavedTensor[];
}

export interface GradualPruneEpochEnd {
  /** 0-based prune step and the epochs of its fine-tuning done so far. */
  step: number;
  epochsDone: number;
  masks: Map<string, Uint8Array>;
  optimizer: Sgd;
}

export interface GradualPruneResult {
  /** Masks in force at the end (layer name → 1 = kept); the net's weights honour them. */
  masks: Map<string, Uint8Array>;
  /** Zero fraction of each prunable layer's mask. */
  layerSparsity: Record<string, number>;
  /** Prune steps whose masks were applied. */
  steps: number;
  status: 'completed' | 'cancelled';
}

/** Downloads the prunable layers' weights (works on every backend). */
async function prunableWeights(net: Network, layers: readonly string[]): Promise<Weights> {
  const entries = await Promise.all(
    layers.map(async (l): Promise<[string, TensorData]> => {
      const v = net.getTensor(`${l}.weight`);
      return [`${l}.weight`, { shape: [...v.shape], data: (await v.data()) as Float32Array }];
    }),
  );
  return new Map(entries);
}

function overallSparsity(masks: ReadonlyMap<string, Uint8Array>): number {
  let [n, kept] = [0, 0];
  for (const m of masks.values()) {
    n += m.length;
    for (let i = 0; i < m.length; i++) kept += m[i]!;
  }
  return n === 0 ? 0 : (n - kept) / n;
}

/** Per-step plan: the pool's cumulative global targets and each targeted layer's schedule. */
interface Plan {
  steps: number;
  global: number[];
  layers: Map<string, number[]>;
  pool0: number;
}

function makePlan(recipeIn: Recipe, layers: LayerBits[]): Plan {
  const recipe = allocateSparsity(recipeIn, layers);
  const ft = recipe.fineTune ?? {};
  const steps = ft.pruneSteps ?? 1;
  const kind = ft.pruneSchedule ?? 'seed';
  const targets = layerTargets(
    layers.map((l) => l.name),
    recipe,
  );
  const perLayer = new Map([...targets].map(([name, t]) => [name, pruneTargets(t, steps, kind)]));
  return {
    steps,
    global: pruneTargets(globalSparsity(recipe), steps, kind),
    layers: perLayer,
    pool0: poolSize(layers, targets),
  };
}

/** Removal counts of step `k` (0-based) on the current layers. */
function stepCounts(plan: Plan, k: number, layers: LayerBits[]): PruneCounts {
  const poolNow = poolSize(layers, plan.layers);
  const removed = plan.pool0 - poolNow;
  const want = Math.round(plan.global[k]! * plan.pool0) - removed;
  const layerZeros = new Map<string, number>();
  for (const l of layers) {
    const t = plan.layers.get(l.name)?.[k];
    if (t !== undefined) layerZeros.set(l.name, targetZeros(l.zeros, l.size, t));
  }
  return { globalRemove: Math.min(poolNow, Math.max(0, want)), layerZeros };
}

function checkResume(r: GradualPruneResume | undefined, steps: number, epochs: number): void {
  if (!r) return;
  if (!Number.isInteger(r.stepsDone) || r.stepsDone < 0 || r.stepsDone > steps)
    throw new Error(`gradualPrune: resume.stepsDone must be in [0, ${steps}], got ${r.stepsDone}`);
  if (!Number.isInteger(r.epochsDone) || r.epochsDone < 0 || r.epochsDone >= Math.max(1, epochs))
    throw new Error(
      `gradualPrune: resume.epochsDone must be in [0, ${epochs}), got ${r.epochsDone}`,
    );
  if (r.epochsDone > 0 && !r.masks)
    throw new Error(`gradualPrune: resuming after epoch ${r.epochsDone} needs that step's masks`);
}

export async function gradualPrune(o: GradualPruneOptions): Promise<GradualPruneResult> {
  const names = prunableLayers(o.net.graph);
  const ft = o.recipe.fineTune ?? {};
  const epochs = ft.epochs ?? 1;
  const from = o.planFrom ?? o.net;
  const plan = makePlan(o.recipe, layerBits(from.graph, await prunableWeights(from, names)));
  checkResume(o.resume, plan.steps, epochs);
  const first = o.resume?.stepsDone ?? 0;
  let masks = o.resume?.masks ?? new Map<string, Uint8Array>();
  let maskSet: MaskSet | undefined;
  const done = (steps: number, status: GradualPruneResult['status']): GradualPruneResult => ({
    masks,
    layerSparsity: maskSparsity(masks),
    steps,
    status,
  });
  try {
    for (let k = first; k < plan.steps; k++) {
      if (!(await (o.control?.proceed() ?? true))) return done(k, 'cancelled');
      const startEpoch = k === first ? (o.resume?.epochsDone ?? 0) : 0;
      if (startEpoch === 0) {
        const layers = layerBits(o.net.graph, await prunableWeights(o.net, names));
        masks = masksForCounts(layers, stepCounts(plan, k, layers));
      }
      maskSet?.dispose();
      maskSet = MaskSet.fromMasks(o.net, masks);
      maskSet.apply(o.net);
      const base = { step: k + 1, steps: plan.steps, sparsity: overallSparsity(masks) };
      o.onProgress?.({ ...base, phase: 'prune' });
      if (epochs > 0) {
        const status = await fineTuneStep(o, k, startEpoch, masks, maskSet, (metrics) =>
          o.onProgress?.({ ...base, phase: 'fine-tune', metrics }),
        );
        if (status === 'cancelled') return done(k + 1, 'cancelled');
      }
      await o.onStepEnd?.({ stepsDone: k + 1, masks });
    }
    return done(plan.steps, 'completed');
  } finally {
    maskSet?.dispose();
  }
}

/** Step k's fine-tuning from `startEpoch`, with its own optimizer (momentum resumed mid-step). */
async function fineTuneStep(
  o: GradualPruneOptions,
  k: number,
  startEpoch: number,
  masks: Map<string, Uint8Array>,
  maskSet: MaskSet,
  onMetrics: (m: TrainMetrics) => void,
): Promise<'completed' | 'cancelled'> {
  const ft = o.recipe.fineTune ?? {};
  const optimizer = new Sgd(fineTuneSgdConfig(ft));
  try {
    if (startEpoch > 0) loadMomentum(optimizer, o.resume?.momentum ?? []);
    const epochs = ft.epochs ?? 1;
    const onEpochEnd = async ({ epoch }: { epoch: number }): Promise<void> => {
      if (epoch + 1 < epochs)
        await o.onEpochEnd?.({ step: k, epochsDone: epoch + 1, masks, optimizer });
    };
    return await fineTuneMasked(o.net, maskSet, {
      source: o.source,
      settings: ft,
      seed: o.seed + k,
      control: o.control,
      maxSteps: o.maxFineTuneSteps,
      onMetrics,
      label: `gradualPrune: fine-tuning step ${k + 1}`,
      model: await o.model?.(k, startEpoch > 0),
      losses: o.losses,
      optimizer,
      startEpoch,
      onEpochEnd,
    });
  } finally {
    optimizer.dispose();
  }
}
