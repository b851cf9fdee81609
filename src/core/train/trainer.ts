/**
 * Mini-batch SGD training loop: seeded shuffling per epoch, augmentation, LR schedule per step,
 * metrics every N steps (device-side sums, one download per report), cooperative pause / resume /
 * cancel between steps, and a yield to the event loop after every step so a worker keeps
 * receiving messages. No tensor outlives a step (see train-step.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import {
  batchesPerEpoch,
  batchIndices,
  batchTensors,
  epochOrder,
  epochRng,
  RNG_STREAMS,
  windowOrder,
} from './batching';
import type { TrainControl } from './control';
import { autoMicroBatch, trainBytesPerImage } from './micro-batch';
import { lrAt, type LrSchedule, type ScheduleClock } from './schedule';
import { Sgd, type NamedParam, type SgdConfig } from './sgd';
import { StepAccumulators, trainStep } from './train-step';
import type { BatchSource, DistillOptions, TrainableModel } from './types';
import { yieldToEventLoop } from '../util/yield';

export interface TrainMetrics {
  /** 0-based epoch of the last step. */
  epoch: number;
  /** Steps done so far (1-based count over the whole run). */
  step: number;
  totalSteps: number;
  /**
   * Mean loss / top-1 accuracy (fraction) of the main output over the steps since the previous
   * report; the loss is the main output's training loss (with distillation, the distillation
   * loss), without the extra outputs' terms.
   */
  loss: number;
  acc: number;
  /** Learning rate of the last step. */
  lr: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface EpochSummary {
  epoch: number;
  loss: number;
  acc: number;
  seconds: number;
}

export interface TrainOptions {
  model: TrainableModel;
  source: BatchSource;
  epochs: number;
  batchSize: number;
  schedule: LrSchedule;
  sgd?: SgdConfig;
  seed: number;
  /** Data augmentation in training batches (default true). */
  augment?: boolean;
  labelSmoothing?: number;
  /** Report metrics every N steps (default 10) and at the end of every epoch. */
  metricsEvery?: number;
  onMetrics?: (m: TrainMetrics) => void;
  /** Awaited after every epoch (checkpoints); not called for a cancelled epoch. */
  onEpochEnd?: (s: EpochSummary) => void | Promise<void>;
  control?: TrainControl;
  /** Drop a trailing partial batch (default false; a trailing batch of 1 is always dropped). */
  dropLast?: boolean;
  /** Stop after this many steps in all (tests, quick runs). */
  maxSteps?: number;
  /** First epoch to run (resume); shuffles and schedule continue as if epochs before had run. */
  startEpoch?: number;
  /**
   * Images per epoch when epochs should be shorter than the data (default all): epoch e trains
   * on records (e·epochImages + i) mod size (batching.ts windowOrder), so a run checkpoints
   * every epochImages images and still walks through the whole training set.
   */
  epochImages?: number;
  /** An optimizer to continue with (its momentum buffers); default a fresh Sgd(opts.sgd). */
  optimizer?: Sgd;
  /** Called after every optimizer step and its BN updates (e.g. re-applying sparsity masks). */
  afterStep?: () => void;
  /** Distill from a teacher (Hinton et al. 2015; train/distillation.ts). */
  distill?: DistillOptions;
  /**
   * Extra output key → weight ≥ 0 of its loss (e.g. `{ exit: 1 }` fine-tunes an early-exit
   * head): CE with the labels, distilled against the teacher's extra output of the same key when
   * both exist. The model's forwardTrain must return those extra outputs.
   */
  extraLossWeights?: Record<string, number>;
  /**
   * Images per forward + backward: each batch runs as ⌈batchSize / microBatch⌉ micro-batches
   * whose gradients are summed (weighted by size) before one optimizer step — the whole batch's
   * update except that batch norm normalises each micro-batch by its own statistics (running
   * statistics: updated once per step from the pooled statistics). Default: automatic
   * (micro-batch.ts autoMicroBatch: the model's footprint against the wasm heap budget; the
   * whole batch on other backends). Values ≥ batchSize run whole batches.
   */
  microBatch?: number;
}

export interface TrainResult {
  status: 'completed' | 'cancelled' | 'diverged';
  steps: number;
  epochsCompleted: number;
  /** Mean loss / accuracy of the last metrics window (NaN before the first report). */
  lastLoss: number;
  lastAcc: number;
  /** The micro-batch size the run used (TrainOptions.microBatch or the automatic one). */
  microBatch?: number;
  message?: string;
}

const now = (): number => performance.now();

function namedParams(model: TrainableModel): NamedParam[] {
  const vars = model.trainableVariables();
  const names = model.trainableNames();
  if (names.length !== vars.length) {
    throw new Error(`model has ${vars.length} trainable variables but ${names.length} names`);
  }
  return vars.map((variable, i) => ({ name: names[i]!, variable }));
}

/** Images an epoch trains on. */
export function epochSize(o: Pick<TrainOptions, 'source' | 'epochImages'>): number {
  return Math.min(o.source.size, o.epochImages ?? o.source.size);
}

function checkOptions(o: TrainOptions): void {
  const ei = o.epochImages;
  if (ei !== undefined && !(Number.isInteger(ei) && ei >= 2))
    throw new Error(`epochImages must be an integer ≥ 2, got ${ei}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1)
    throw new Error(`epochs must be an integer ≥ 1, got ${o.epochs}`);
  const every = o.metricsEvery ?? 10;
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`metricsEvery must be an integer ≥ 1, got ${every}`);
  const ls = o.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls < 1)) throw new Error(`labelSmoothing must be in [0, 1), got ${ls}`);
  const d = o.distill;
  if (d && !(d.temperature > 0 && Number.isFinite(d.temperature)))
    throw new Error(`distill.temperature must be a finite number > 0, got ${d.temperature}`);
  if (d && !(d.weight >= 0 && d.weight <= 1))
    throw new Error(`distill.weight must be in [0, 1], got ${d.weight}`);
  const mb = o.microBatch;
  if (mb !== undefined && !(Number.isInteger(mb) && mb >= 1))
    throw new Error(`microBatch must be an integer ≥ 1, got ${mb}`);
  for (const [key, w] of Object.entries(o.extraLossWeights ?? {}))
    if (!(w >= 0 && Number.isFinite(w)))
      throw new Error(`extraLossWeights['${key}'] must be a finite number ≥ 0, got ${w}`);
}

/** Metrics window: steps, images and wall time since the last report. */
class Window {
  steps = 0;
  images = 0;
  start = now();

  reset(): void {
    this.steps = 0;
    this.images = 0;
    this.start = now();
  }
}

interface RunState {
  o: TrainOptions;
  params: NamedParam[];
  optimizer: Sgd;
  clock: ScheduleClock;
  /** Global step at which to stop. */
  limit: number;
  acc: StepAccumulators;
  window: Window;
  result: TrainResult;
  step: number;
  lr: number;
}

/** Downloads the window's sums and reports them; false when the loss is no longer finite. */
async function report(r: RunState, epoch: number): Promise<boolean> {
  const { lossSum, correct } = await r.acc.take();
  const seconds = Math.max(1e-9, (now() - r.window.start) / 1000);
  r.result.lastLoss = lossSum / r.window.images;
  r.result.lastAcc = correct / r.window.images;
  r.o.onMetrics?.({
    epoch,
    step: r.step,
    totalSteps: r.clock.totalSteps,
    loss: r.result.lastLoss,
    acc: r.result.lastAcc,
    lr: r.lr,
    imagesPerSecond: r.window.images / seconds,
    etaSeconds: ((r.limit - r.step) * seconds) / r.window.steps,
  });
  r.window.reset();
  return Number.isFinite(r.result.lastLoss);
}

/** One step on batch `b` of the epoch order. */
function runStep(r: RunState, order: Uint32Array, b: number, augRng: Rng, modelRng: Rng): number {
  const { o } = r;
  const indices = batchIndices(order, b, o.batchSize);
  const batch = o.source.batch(indices, o.augment ?? true, augRng);
  const { x, y } = batchTensors(o.source, batch, indices.length);
  r.lr = lrAt(o.schedule, r.step, r.clock);
  try {
    const inputs = {
      model: o.model,
      params: r.params,
      optimizer: r.optimizer,
      lr: r.lr,
      labelSmoothing: o.labelSmoothing ?? 0,
      rng: modelRng,
      distill: o.distill,
      extraLossWeights: o.extraLossWeights,
      microBatch: r.result.microBatch,
    };
    trainStep(inputs, x, y, batch.y, r.acc);
    o.afterStep?.();
  } finally {
    x.dispose();
    y.dispose();
  }
  r.step++;
  r.result.steps++;
  r.window.steps++;
  r.window.images += indices.length;
  return indices.length;
}

/** Runs one epoch; returns its summary, or null when the run stopped (status set). */
async function runEpoch(r: RunState, epoch: number): Promise<EpochSummary | null> {
  const { o } = r;
  const start = now();
  const perEpoch = r.clock.stepsPerEpoch;
  const shuffle = epochRng(o.seed, epoch, RNG_STREAMS.shuffle);
  const order =
    o.epochImages === undefined || o.epochImages >= o.source.size
      ? epochOrder(o.source.size, shuffle)
      : windowOrder(o.source.size, o.epochImages, epoch, shuffle);
  const augRng = epochRng(o.seed, epoch, RNG_STREAMS.augment);
  const modelRng = epochRng(o.seed, epoch, RNG_STREAMS.model);
  let [loss, correct, images] = [0, 0, 0];
  for (let b = 0; b < perEpoch; b++) {
    if (r.step >= r.limit) return null;
    if (!(await (o.control?.proceed() ?? true))) {
      r.result.status = 'cancelled';
      return null;
    }
    images += runStep(r, order, b, augRng, modelRng);
    if (r.window.steps === (o.metricsEvery ?? 10) || b === perEpoch - 1 || r.step === r.limit) {
      const windowImages = r.window.images;
      const finite = await report(r, epoch);
      loss += r.result.lastLoss * windowImages;
      correct += r.result.lastAcc * windowImages;
      if (!finite) {
        r.result.status = 'diverged';
        r.result.message = `loss became ${r.result.lastLoss} at step ${r.step} (lr ${r.lr})`;
        return null;
      }
    }
    await yieldToEventLoop();
  }
  return { epoch, loss: loss / images, acc: correct / images, seconds: (now() - start) / 1000 };
}

/** The automatic micro-batch for the current backend (micro-batch.ts). */
function defaultMicroBatch(o: TrainOptions): number {
  const f = o.model.footprint;
  return autoMicroBatch(o.batchSize, f ? trainBytesPerImage(f) : undefined, tf.getBackend());
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  const perEpoch = batchesPerEpoch(epochSize(o), o.batchSize, o.dropLast ?? false);
  const clock: ScheduleClock = { stepsPerEpoch: perEpoch, totalSteps: perEpoch * o.epochs };
  const startEpoch = o.startEpoch ?? 0;
  if (!Number.isInteger(startEpoch) || startEpoch < 0 || startEpoch >= o.epochs) {
    throw new Error(`startEpoch must be an integer in [0, ${o.epochs}), got ${startEpoch}`);
  }
  const r: RunState = {
    o,
    params: namedParams(o.model),
    optimizer: o.optimizer ?? new Sgd(o.sgd),
    clock,
    limit: Math.min(clock.totalSteps, startEpoch * perEpoch + (o.maxSteps ?? Infinity)),
    acc: new StepAccumulators(),
    window: new Window(),
    result: {
      status: 'completed',
      steps: 0,
      epochsCompleted: 0,
      lastLoss: NaN,
      lastAcc: NaN,
      microBatch: Math.min(o.batchSize, o.microBatch ?? defaultMicroBatch(o)),
    },
    step: startEpoch * perEpoch,
    lr: 0,
  };
  try {
    for (let epoch = startEpoch; epoch < o.epochs && r.step < r.limit; epoch++) {
      const summary = await runEpoch(r, epoch);
      if (!summary) break;
      r.result.epochsCompleted++;
      await o.onEpochEnd?.(summary);
    }
    return r.result;
  } finally {
    r.acc.dispose();
    if (!o.optimizer) r.optimizer.dispose();
  }
}
