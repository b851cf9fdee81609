/**
 * The worker's "Run recipe" job: the current recipe run end to end on the current network with
 * core's runRecipe (core/compress/pipeline: gradual pruning with fine-tuning — QAT, distillation,
 * exit head —, compression, early-exit evaluation, score), fine-tuning and calibrating on the
 * train split (its first `trainLimit`), evaluating the first `limit` test images (or all). The
 * compressed result becomes the current network exactly as an imported .mnlc does (its
 * dequantized weights, run with its stored activation quantizers), and its bytes come back for a
 * download. Every checkpoint goes to the session database (./recipe-run-store.ts); "Resume"
 * continues the kept run, which is refused when the network or data differ. Cancel stops at the
 * next batch and keeps the last checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { explainBackendError } from '../core/backend/explain-error';
import {
  runRecipe as coreRunRecipe,
  type PipelineProgress,
  type RunRecipeOptions,
  type RunRecipeResult,
} from '../core/compress/pipeline/index';
import { fineTuneAugment } from '../core/compress/fine-tune';
import { hasEarlyExit } from '../core/compress/score-model';
import { scoreCompressed } from '../core/compress/compressed-model';
import type { CifarDataset } from '../core/data/types';
import { Network } from '../core/graph/network';
import { readCompressed, writeCompressed } from '../core/io/compressed/index';
import { validateRecipe } from '../core/recipe/index';
import { cifarSource } from '../core/train/cifar-source';
import { TrainControl } from '../core/train/control';
import type { BatchSource } from '../core/train/types';
import type { CurrentNetwork } from './current-network';
import type { WorkerJob } from './job-registry';
import type { BackendInfo } from './lab-types';
import type { RecipeRunStore } from './recipe-run-store';
import type {
  RecipeRunOutcome,
  RecipeRunProgress,
  RecipeRunRequest,
  SavedRecipeRun,
} from '../protocol/recipe-run';

export type RunRecipeFn = (o: RunRecipeOptions) => Promise<RunRecipeResult>;

export interface RecipeRunHooks {
  job: WorkerJob;
  report: (p: RecipeRunProgress) => void;
}

const message = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

/** The pipeline's progress as the lab's job progress (bar, phase text, ETA). */
export function runProgress(p: PipelineProgress): RecipeRunProgress {
  const base = { stage: p.stage, step: p.step, steps: p.steps, fraction: p.fraction };
  const etaSeconds = p.etaSeconds ?? null;
  const m = p.metrics;
  const of = `step ${p.step} of ${p.steps}`;
  switch (p.stage) {
    case 'fine-tune': {
      const per = m?.totalSteps ?? 1;
      const phase = m
        ? `fine-tuning · prune ${of} · epoch ${m.epoch + 1} · loss ${m.loss.toFixed(3)}`
        : `fine-tuning · prune ${of}`;
      const done = (p.step - 1) * per + (m?.step ?? 0);
      const total = p.steps * per;
      return { ...base, phase, done, total, unit: 'batches', etaSeconds, loss: m?.loss ?? null };
    }
    case 'evaluate':
      return {
        ...base,
        phase: 'evaluating with early exit',
        done: p.step,
        total: p.steps,
        unit: 'images',
        etaSeconds,
        loss: null,
      };
    default: {
      const what = { prune: 'pruning', calibrate: 'calibrating', export: 'packing' }[p.stage];
      const phase = p.stage === 'export' ? 'writing the compressed checkpoint' : `${what} · ${of}`;
      const done = p.stage === 'export' ? p.steps : p.step - 1;
      return { ...base, phase, done, total: p.steps, unit: 'steps', etaSeconds, loss: null };
    }
  }
}

/** Checks a count field: null (all) or a whole number in [min, max]; errors name the value. */
export function checkCount(what: string, v: number | null, min: number, max: number): void {
  if (v === null) return;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`${what} must be a whole number in [${min}, ${max}] or all, got ${v}`);
}

const head = (s: BatchSource, n: number | null): BatchSource =>
  n === null ? s : { ...s, size: Math.min(n, s.size) };

export interface RecipeRunServiceOptions {
  /** Saves the current network in the session (the teacher a resumed run needs). */
  persistNetwork?: () => Promise<void>;
  /** True once the GPU device is lost: a run that failed for it stays resumable. */
  deviceLost?: () => boolean;
  /** core's runRecipe (tests pass a fake). */
  runRecipe?: RunRecipeFn;
}

export class RecipeRunService {
  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
    private readonly store: RecipeRunStore,
    private readonly o: RecipeRunServiceOptions = {},
  ) {}

  saved(): Promise<SavedRecipeRun | null> {
    return this.store.saved();
  }

  discard(): Promise<void> {
    return this.store.forget();
  }

  /** Continues the kept run from its last checkpoint (or from the start when it has none). */
  async resume(data: CifarDataset | null, hooks: RecipeRunHooks): Promise<RecipeRunOutcome> {
    const kept = await this.store.saved();
    if (!kept) throw new Error('No recipe run to resume');
    return this.run(kept.request, data, hooks, true);
  }

  async run(
    request: RecipeRunRequest,
    data: CifarDataset | null,
    hooks: RecipeRunHooks,
    resuming = false,
  ): Promise<RecipeRunOutcome> {
    const recipe = validateRecipe(request.recipe);
    const train = data?.train;
    const test = data?.test;
    if (!train)
      throw new Error('No train split loaded: Run recipe fine-tunes on it (load train.bin)');
    if (!test) throw new Error('No test split loaded: Run recipe evaluates on it (load test.bin)');
    checkCount('Test images', request.limit, 1, test.count);
    checkCount('Training images', request.trainLimit, 2, train.count);
    await this.ensureBackend();
    const net = this.current.network;
    if (!net) throw new Error('No current network: import, train or evaluate one first');
    const model = net.graph.name;
    if (!resuming) await this.store.begin(request, model, recipe.fineTune?.pruneSteps ?? 1);
    else await this.store.mark('running', null);
    await this.o.persistNetwork?.(); // the teacher, for a run resumed after a reload
    let release = this.current.hold('running a recipe');
    const control = new TrainControl();
    hooks.job.pausable = control;
    const { signal } = hooks.job.controller;
    const onAbort = () => control.cancel();
    signal.addEventListener('abort', onAbort);
    const trainSource = head(cifarSource(train, null), request.trainLimit);
    const augmented = head(
      cifarSource(train, fineTuneAugment(recipe.fineTune)),
      request.trainLimit,
    );
    try {
      const r = await (this.o.runRecipe ?? coreRunRecipe)({
        net,
        recipe,
        train: augmented,
        test: cifarSource(test, null),
        calibration: trainSource,
        limit: request.limit ?? undefined,
        seed: request.seed,
        control,
        onProgress: (p) => hooks.report(runProgress(p)),
        checkpoint: this.store.checkpoint(),
        maxFineTuneSteps: request.maxFineTuneSteps,
      });
      if (r.status === 'cancelled') {
        await this.store.mark('stopped', 'cancelled');
        const { stepsDone, epochsDone, seconds } = r;
        return { status: 'cancelled', stepsDone, epochsDone, seconds };
      }
      const bytes = writeCompressed(r.data);
      r.network.dispose();
      const fileName = `${model}.mnlc`;
      const d = readCompressed(bytes, fileName);
      release();
      release = () => undefined;
      const compressed = Network.fromWeights(d.graph, d.weights);
      const compression = { recipe: d.recipe, activationQuant: d.activationQuant };
      this.current.replace(compressed, 'imported', `Run recipe: ${fileName}`, compression);
      await this.store.forget();
      const hasExit = hasEarlyExit(d.graph);
      const s = scoreCompressed(r.data, { exitRate: hasExit ? r.exitRate : undefined });
      return {
        status: 'completed',
        recipe,
        top1: r.top1,
        top1EarlyExit: r.top1EarlyExit,
        exitRate: r.exitRate,
        exitThreshold: r.exitThreshold,
        exitBlend: r.exitBlend,
        hasExit,
        score: r.score,
        paramsTerm: s.paramsTerm,
        opsTerm: s.opsTerm,
        paramsM: r.paramsM,
        opsM: r.opsM,
        n: r.n,
        testSize: test.count,
        seconds: r.seconds,
        resumedFrom: r.resumedFrom,
        file: { fileName, bytes },
        network: this.current.info()!,
      };
    } catch (e) {
      const err = explainBackendError(e, tf.getBackend());
      // After a device loss the new worker's recovery resumes it: it stays 'running'.
      if (!this.o.deviceLost?.()) await this.store.mark('stopped', `failed: ${message(err)}`);
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      hooks.job.pausable = null;
      release();
    }
  }
}
