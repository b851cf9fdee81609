/**
 * A whole recipe, end to end (issue 12): the network as given is the teacher and never changes;
 * a student copy is pruned gradually (sparsity/gradual-prune.ts: AGP or the seed's steps,
 * recipe.fineTune.pruneSteps), each step fine-tuned with the masks kept — with the quantizers in
 * the loop when fineTune.qat (activation quantizers calibrated on the pruned student first), the
 * teacher's softened outputs when fineTune.distill, and the early-exit head's loss when the graph
 * has one (weight fineTune.exitLossWeight, default 1) — then compressed under the recipe (its
 * sparsity already applied; final quantization calibrated on `calibration`), evaluated on `test`
 * (the first `limit`) with early exit at recipe.exitThreshold, and scored at the exit rate just
 * measured, as the compressed checkpoint it returns stores it.
 * With `checkpoint`, the state (pipeline-state.ts) is saved after every fine-tuning epoch and
 * prune step, and a run that finds one continues from it (a different recipe, model, seed or
 * training set is refused); a resumed run computes exactly what a straight run computes.
 */
import { hasEarlyExit } from '../score-model';
import { Network } from '../../graph/network';
import type { CompressedModelData } from '../../io/compressed';
import { DISTILL_DEFAULTS, validateRecipe, type Recipe } from '../../recipe';
import type { TrainControl } from '../../train/control';
import { evaluateNetwork } from '../../train/evaluate-network';
import type { Sgd } from '../../train/sgd';
import { networkModel } from '../../train/network-model';
import type { TrainOptions } from '../../train/trainer';
import { CancelledError, type BatchSource, type TrainableModel } from '../../train/types';
import { compressNetwork, type CompressedNetwork } from '../apply-recipe';
import { exitBlendOf, exitThresholdOf } from '../exit-threshold';
import { compressedData, scoreCompressed } from '../compressed-model';
import { saveMomentum } from '../fine-tune';
import { qatModel, quantizeNetwork } from '../quant';
import type { ActivationLevels } from '../quant/quantized-model';
import { gradualPrune } from '../sparsity';
import {
  checkSameRun,
  modelFingerprint,
  type PipelineState,
  type RunIdentity,
} from './pipeline-state';
import { evalProgress, fineTuneProgress, type PipelineProgress } from './pipeline-progress';

export interface PipelineCheckpoint {
  save(state: PipelineState): Promise<void>;
  load(): Promise<PipelineState | null>;
}

export interface RunRecipeOptions {
  /** The uncompressed network: the starting point and the distillation teacher (unchanged). */
  net: Network;
  recipe: Recipe;
  /** Training images for fine-tuning. */
  train: BatchSource;
  test: BatchSource;
  /** Training images for the activation quantizers (QAT and the final quantization). */
  calibration: BatchSource;
  /** Evaluate the first `limit` test images (default all). */
  limit?: number;
  seed: number;
  control?: TrainControl;
  onProgress?: (p: PipelineProgress) => void;
  checkpoint?: PipelineCheckpoint;
  /** Evaluation batch size (default 100). */
  evalBatchSize?: number;
  /** Cap on each fine-tuning phase's optimizer steps (tests, quick runs). */
  maxFineTuneSteps?: number;
}

export interface RunRecipeCompleted {
  status: 'completed';
  /** The compressed network (runs like a Network; the caller disposes it). */
  network: CompressedNetwork;
  /** What a .mnlc stores (writeCompressed(data)); info records the measured exit rate. */
  data: CompressedModelData;
  top1: number;
  /** Top-1 with early exit (= top1 for a network without an exit head). */
  top1EarlyExit: number;
  exitRate: number;
  exitThreshold: number;
  /** recipe.exitBlend as used (0: the main head alone for images that do not exit). */
  exitBlend: number;
  score: number;
  paramsM: number;
  opsM: number;
  n: number;
  /** Wall time of the whole run, earlier sessions of a resumed run included. */
  seconds: number;
  layerSparsity: Record<string, number>;
  /** Where this session continued from (null: a fresh run). */
  resumedFrom: { stepsDone: number; epochsDone: number } | null;
}

export interface RunRecipeCancelled {
  status: 'cancelled';
  /** The last checkpoint's position (what a resumed run starts from). */
  stepsDone: number;
  epochsDone: number;
  seconds: number;
  resumedFrom: { stepsDone: number; epochsDone: number } | null;
}

export type RunRecipeResult = RunRecipeCompleted | RunRecipeCancelled;

/** The recipe with its sparsity fields dropped: the student already holds them as zeros. */
function withoutSparsity(recipe: Recipe): Recipe {
  const r: Recipe = { ...recipe };
  delete r.sparsity;
  delete r.layerSparsity;
  return r;
}

function firstOf(test: BatchSource, limit: number | undefined): BatchSource {
  if (limit === undefined) return test;
  if (!Number.isInteger(limit) || limit < 1 || limit > test.size)
    throw new Error(`runRecipe: limit must be an integer in [1, ${test.size}], got ${limit}`);
  return { ...test, size: limit };
}

/** Distillation from the unchanged network and the exit head's loss, as the recipe asks. */
function lossesOf(
  net: Network,
  recipe: Recipe,
): Pick<TrainOptions, 'distill' | 'extraLossWeights'> {
  const ft = recipe.fineTune ?? {};
  const out: Pick<TrainOptions, 'distill' | 'extraLossWeights'> = {};
  if (hasEarlyExit(net.graph)) out.extraLossWeights = { exit: ft.exitLossWeight ?? 1 };
  if (ft.distill) {
    out.distill = {
      teacher: (x) => {
        const r = net.forward(x, { training: false });
        return { logits: r.output, extra: r.extra };
      },
      temperature: ft.distill.temperature ?? DISTILL_DEFAULTS.temperature,
      weight: ft.distill.weight ?? DISTILL_DEFAULTS.weight,
    };
  }
  return out;
}

interface Position {
  stepsDone: number;
  epochsDone: number;
  masks: Map<string, Uint8Array> | null;
  optimizer?: Sgd;
}

export async function runRecipe(o: RunRecipeOptions): Promise<RunRecipeResult> {
  const recipe = validateRecipe(o.recipe);
  const started = performance.now();
  const test = firstOf(o.test, o.limit);
  const original = await o.net.toWeightsAsync();
  const id: RunIdentity = {
    recipe,
    modelKey: modelFingerprint(o.net.graph, original),
    seed: o.seed,
    trainSize: o.train.size,
  };
  const state = (await o.checkpoint?.load()) ?? null;
  if (state) checkSameRun(state, id);
  const resumedFrom = state ? { stepsDone: state.stepsDone, epochsDone: state.epochsDone } : null;
  const prior = state?.elapsedSeconds ?? 0;
  const seconds = () => prior + (performance.now() - started) / 1000;
  let last: Position = { ...(resumedFrom ?? { stepsDone: 0, epochsDone: 0 }), masks: null };
  let actQuant: Record<string, ActivationLevels> | null = state?.activationQuant ?? null;
  const student = Network.fromWeights(o.net.graph, state?.weights ?? original);
  const save = async (p: Position): Promise<void> => {
    last = p;
    if (!o.checkpoint) return;
    const names = student.trainableNames();
    await o.checkpoint.save({
      ...id,
      stepsDone: p.stepsDone,
      epochsDone: p.epochsDone,
      weights: await student.toWeightsAsync(),
      masks: p.masks,
      momentum: p.optimizer ? await saveMomentum(p.optimizer, names) : [],
      activationQuant: p.epochsDone > 0 ? actQuant : null,
      elapsedSeconds: seconds(),
    });
  };
  const cancelled = (): RunRecipeCancelled => ({
    status: 'cancelled',
    stepsDone: last.stepsDone,
    epochsDone: last.epochsDone,
    seconds: seconds(),
    resumedFrom,
  });
  const ft = recipe.fineTune ?? {};
  const batchSize = ft.batchSize ?? 32;
  const stepsOf = ft.pruneSteps ?? 1;
  try {
    const model = ft.qat
      ? async (k: number, resumed: boolean): Promise<TrainableModel> => {
          if (!resumed || !actQuant) {
            o.onProgress?.({ stage: 'calibrate', step: k + 1, steps: stepsOf, fraction: 0 });
            const q = await quantizeNetwork(student, recipe, { source: o.calibration });
            actQuant = q.activationQuant;
            q.dispose();
          }
          return qatModel(student, recipe, actQuant, { freezeBatchNorm: ft.freezeBatchNorm });
        }
      : ft.freezeBatchNorm
        ? async () => networkModel(student, { frozenBatchNorm: true })
        : undefined;
    const pruned = await gradualPrune({
      net: student,
      source: o.train,
      recipe,
      seed: o.seed,
      control: o.control,
      maxFineTuneSteps: o.maxFineTuneSteps,
      planFrom: o.net,
      resume: state ?? undefined,
      model,
      losses: lossesOf(o.net, recipe),
      onProgress: (p) =>
        o.onProgress?.(
          p.metrics
            ? fineTuneProgress(p.step - 1, p.steps, p.metrics, batchSize)
            : { stage: 'prune', step: p.step, steps: p.steps, fraction: (p.step - 1) / p.steps },
        ),
      onEpochEnd: (p) => save({ ...p, stepsDone: p.step }),
      onStepEnd: (p) => save({ stepsDone: p.stepsDone, epochsDone: 0, masks: p.masks }),
    });
    if (pruned.status === 'cancelled' || !(await (o.control?.proceed() ?? true)))
      return cancelled();
    return await finish(o, recipe, student, test, seconds, resumedFrom);
  } catch (e) {
    if (e instanceof CancelledError) return cancelled();
    throw e;
  } finally {
    student.dispose();
  }
}

/** Compress the fine-tuned student, evaluate it with early exit, score and package it. */
async function finish(
  o: RunRecipeOptions,
  recipe: Recipe,
  student: Network,
  test: BatchSource,
  seconds: () => number,
  resumedFrom: RunRecipeCompleted['resumedFrom'],
): Promise<RunRecipeCompleted> {
  o.onProgress?.({ stage: 'calibrate', step: 1, steps: 1, fraction: 0 });
  const c = await compressNetwork(student, withoutSparsity(recipe), {
    calibration: o.calibration,
  });
  try {
    const threshold = exitThresholdOf(recipe);
    const blend = exitBlendOf(recipe);
    const r = await evaluateNetwork(c, test, {
      batchSize: o.evalBatchSize ?? 100,
      threshold,
      blend,
      signal: o.control,
      onProgress: (p) => o.onProgress?.(evalProgress(p)),
    });
    const exits = hasEarlyExit(c.graph);
    const exitRate = r.exitRate ?? 0;
    const info = {
      model: o.net.graph.name,
      compressedBy: 'runRecipe',
      seed: o.seed,
      top1: r.top1,
      ...(exits && { top1EarlyExit: r.top1EarlyExit, exitRate, exitThreshold: threshold }),
      n: r.n,
    };
    const data = compressedData(c, recipe, info);
    const s = scoreCompressed(data, { exitRate: exits ? exitRate : undefined, detail: false });
    o.onProgress?.({ stage: 'export', step: 1, steps: 1, fraction: 1 });
    return {
      status: 'completed',
      network: c,
      data,
      top1: r.top1,
      top1EarlyExit: r.top1EarlyExit ?? r.top1,
      exitRate,
      exitThreshold: threshold,
      exitBlend: blend,
      score: s.score,
      paramsM: s.params32 / 1e6,
      opsM: s.ops / 1e6,
      n: r.n,
      seconds: seconds(),
      layerSparsity: c.layerSparsity,
      resumedFrom,
    };
  } catch (e) {
    c.dispose();
    throw e;
  }
}
