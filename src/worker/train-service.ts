/**
 * The worker's network: builds zoo models (core/models), trains them on the loaded train split
 * with core's mini-batch SGD loop (Nesterov momentum 0.9, weight decay 5e-4 off BN/bias, cosine
 * learning rate) and evaluates top-1 / top-5 on the test split (plus top-1 under the early-exit
 * rule for a network with an exit head, e.g. OSI-AI MicroNet). Training builds its own network
 * (seeded, or a resumed run's checkpoint) beside the worker's current one (./current-network.ts),
 * which stays current until the run ends: then the trained network replaces it (also after a
 * cancel with steps done; the network stack keeps the old one for undo), while a failed or empty
 * run leaves it as it was. Each epoch end is checkpointed (./train-checkpoints.ts) and an
 * interrupted run resumes from its last checkpoint. Evaluation runs the current network.
 */
import * as tf from '@tensorflow/tfjs-core';
import { explainBackendError } from '../core/backend/explain-error';
import type { AugmentOptions } from '../core/data/augment';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { Network } from '../core/graph/network';
import { countParams } from '../core/graph/params';
import { buildFromZooName, ZOO_NAMES } from '../core/models/zoo';
import { TrainControl } from '../core/train/control';
import { evaluateNetwork } from '../core/train/evaluate-network';
import { networkModel } from '../core/train/network-model';
import { batchesPerEpoch } from '../core/train/batching';
import { Sgd, type SgdConfig } from '../core/train/sgd';
import { train, type TrainMetrics, type TrainResult } from '../core/train/trainer';
import { cifarSource } from '../core/train/cifar-source';
import { augmentOptions, checkConfig, timeBudget } from './train-config';
import type { CurrentNetwork } from './current-network';
import { evalReport } from './eval-report';
import { batcher, type WorkerJob } from './job-registry';
import {
  loadMomentum,
  NO_CHECKPOINTS,
  type ResumePoint,
  type RunState,
  type TrainCheckpoints,
} from './train-checkpoints';
import type {
  BackendInfo,
  EarlyExitStats,
  EvalConfig,
  EvalResult,
  JobProgress,
  MetricPoint,
  ModelInfo,
  TrainConfig,
  TrainSummary,
} from './lab-types';

export const DEFAULT_MODEL = 'pyramidnet-bottleneck-20-a48';
const METRICS_FLUSH_MS = 250;
const SGD_CONFIG: SgdConfig = {
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  excludeFromDecay: 'bn-and-bias',
};
/** Early-exit rule (graph.extraOutputs.exit): exit when the head's max softmax > this. */
const EXIT_THRESHOLD = 0.85;

type Report = (p: JobProgress) => void;

export interface TrainHooks {
  job: WorkerJob;
  report: Report;
  onMetrics: (points: MetricPoint[]) => void;
}

export class TrainService {
  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
    private readonly checkpoints: TrainCheckpoints = NO_CHECKPOINTS,
  ) {}

  listModels(): ModelInfo[] {
    const names = [...new Set<string>(['tiny', DEFAULT_MODEL, ...ZOO_NAMES])];
    return names.map((name) => ({ name, params: countParams(buildFromZooName(name)) }));
  }

  private replaceNet(name: string, seed: number): Network {
    return this.current.replace(Network.fromInit(buildFromZooName(name), seed), 'initialised');
  }

  /** Continues the run interrupted at its last epoch checkpoint (./train-checkpoints.ts). */
  async resume(data: CifarDataset | null, hooks: TrainHooks): Promise<TrainSummary> {
    const point = await this.checkpoints.resumePoint();
    if (!point) throw new Error('No interrupted training run to resume');
    return this.train(point.config, data, hooks, point);
  }

  /** The run's own network, optimizer and metrics: fresh, or as `resume` left them. */
  private prepare(config: TrainConfig, resume: ResumePoint | null): RunState {
    const ck = resume?.checkpoint;
    const startEpoch = ck ? Math.min(resume.epochsCompleted, config.epochs) : 0;
    const net =
      ck && startEpoch > 0
        ? Network.fromWeights(ck.graph, ck.weights)
        : Network.fromInit(buildFromZooName(config.model), config.seed);
    const optimizer = new Sgd(SGD_CONFIG);
    if (startEpoch > 0 && resume?.momentum) loadMomentum(optimizer, resume.momentum);
    const metrics = startEpoch > 0 ? [...(resume?.metrics ?? [])] : [];
    return { config, epochsCompleted: startEpoch, metrics, net, optimizer };
  }

  /**
   * Trains `config.model` from its seeded initialisation, or — with `resume` — continues a run
   * from its checkpoint at startEpoch = resume.epochsCompleted. Every epoch end is checkpointed.
   */
  async train(
    config: TrainConfig,
    data: CifarDataset | null,
    hooks: TrainHooks,
    resume: ResumePoint | null = null,
  ): Promise<TrainSummary> {
    checkConfig(config);
    const split = data?.train;
    if (!split) throw new Error('No train split loaded: load train.bin or the archive first');
    await this.ensureBackend();
    const run = this.prepare(config, resume);
    const startEpoch = run.epochsCompleted;
    const release = this.current.hold('training');
    const control = new TrainControl();
    const budget = timeBudget(config.maxSeconds ?? null, control);
    hooks.job.pausable = control;
    const { signal } = hooks.job.controller;
    const onAbort = () => control.cancel();
    signal.addEventListener('abort', onAbort);
    const metrics = batcher(hooks.onMetrics, METRICS_FLUSH_MS);
    const t0 = performance.now();
    const augment = augmentOptions(config.augment);
    const images = Math.min(config.limit ?? split.count, split.count);
    const perEpoch = batchesPerEpoch(images, config.batchSize, false);
    const totalGuess = Math.ceil(images / config.batchSize) * config.epochs;
    hooks.report({
      phase: startEpoch > 0 ? `resuming at epoch ${startEpoch + 1}` : 'building the network',
      done: startEpoch * perEpoch,
      total: totalGuess,
      unit: 'steps',
      etaSeconds: null,
    });
    let ended = false;
    try {
      if (startEpoch === 0) await this.checkpoints.started(run);
      const result = await this.runEpochs(run, split, hooks, {
        images,
        augment,
        control,
        metricsEvery: totalGuess <= 500 ? 1 : 5,
        push: (p) => metrics.push(p),
      });
      if (result.status === 'diverged') {
        throw new Error(`Training diverged: ${result.message ?? 'loss is not finite'}`);
      }
      release();
      if (result.steps > 0 || startEpoch > 0) this.current.replace(run.net, 'trained');
      const summary: TrainSummary = {
        steps: startEpoch * perEpoch + result.steps,
        epochs: run.epochsCompleted,
        cancelled: result.status === 'cancelled' && !budget.state.reached,
        ...(budget.state.reached ? { timeBudgetReached: true } : {}),
        finalLoss: Number.isFinite(result.lastLoss) ? result.lastLoss : null,
        finalAccuracy: Number.isFinite(result.lastAcc) ? result.lastAcc : null,
        seconds: (performance.now() - t0) / 1000,
      };
      ended = true;
      await this.checkpoints.finished(run, summary, null);
      return summary;
    } catch (e) {
      const err = explainBackendError(e, tf.getBackend());
      if (!ended) await this.checkpoints.finished(run, null, err.message);
      throw err;
    } finally {
      metrics.flush();
      budget.clear();
      signal.removeEventListener('abort', onAbort);
      hooks.job.pausable = null;
      run.optimizer.dispose();
      release();
      if (this.current.network !== run.net) run.net.dispose(); // failed or empty: not kept
    }
  }

  /** Core train from run.epochsCompleted to config.epochs, checkpointing every epoch end. */
  private async runEpochs(
    run: RunState,
    split: CifarSplit,
    hooks: TrainHooks,
    o: {
      images: number;
      augment: AugmentOptions | null;
      control: TrainControl;
      metricsEvery: number;
      push: (p: MetricPoint) => void;
    },
  ): Promise<TrainResult> {
    const { config } = run;
    if (run.epochsCompleted >= config.epochs) {
      // Interrupted after its last checkpoint: nothing is left to train.
      return { status: 'completed', steps: 0, epochsCompleted: 0, lastLoss: NaN, lastAcc: NaN };
    }
    return train({
      model: networkModel(run.net),
      source: { ...cifarSource(split, o.augment), size: o.images },
      epochs: config.epochs,
      batchSize: config.batchSize,
      schedule: { kind: 'cosine', lr: config.learningRate },
      optimizer: run.optimizer,
      seed: config.seed,
      augment: o.augment !== null,
      metricsEvery: o.metricsEvery,
      control: o.control,
      startEpoch: run.epochsCompleted,
      onEpochEnd: async () => {
        run.epochsCompleted++;
        await this.checkpoints.epochEnd(run);
      },
      onMetrics: (m: TrainMetrics) => {
        const point: MetricPoint = {
          step: m.step,
          epoch: m.epoch + 1,
          loss: m.loss,
          accuracy: m.acc,
          learningRate: m.lr,
        };
        run.metrics.push(point);
        o.push(point);
        hooks.report({
          phase: `epoch ${m.epoch + 1} of ${config.epochs} · ${m.imagesPerSecond.toFixed(1)} images/s`,
          done: m.step,
          total: m.totalSteps,
          unit: 'steps',
          etaSeconds: m.etaSeconds,
        });
      },
    });
  }

  async evaluate(
    model: string,
    config: EvalConfig,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<Omit<EvalResult, 'networkKey'>> {
    const split = data?.test;
    if (!split) throw new Error('No test split loaded: load test.bin or the archive first');
    if (!Number.isInteger(config.batchSize) || config.batchSize < 1) {
      throw new Error(`batch size must be a whole number ≥ 1, got ${config.batchSize}`);
    }
    await this.ensureBackend();
    const net = this.current.network ?? this.replaceNet(model, 1);
    const untrained = !this.current.isTrained;
    const network = this.current.info()!;
    const release = this.current.hold('evaluation');
    const all = cifarSource(split, null);
    const limit = config.limit ?? null;
    if (limit !== null && !(Number.isInteger(limit) && limit >= 1))
      throw new Error(`test images must be a whole number ≥ 1 or all, got ${limit}`);
    const source = limit === null ? all : { ...all, size: Math.min(limit, all.size) };
    const opts = {
      batchSize: config.batchSize,
      signal: hooks.signal,
      onProgress: evalReport(hooks.report),
    };
    try {
      const runnable = this.current.evaluable() ?? net;
      const r = await evaluateNetwork(runnable, source, { ...opts, threshold: EXIT_THRESHOLD });
      const earlyExit: EarlyExitStats | null =
        r.top1EarlyExit !== undefined && r.exitRate !== undefined
          ? { top1: r.top1EarlyExit, exitRate: r.exitRate, threshold: EXIT_THRESHOLD }
          : null;
      const { top1, top5, loss, n, imagesPerSecond } = r;
      const model = net.graph.name;
      return { top1, top5, loss, n, imagesPerSecond, model, untrained, earlyExit, network };
    } catch (e) {
      throw explainBackendError(e, tf.getBackend());
    } finally {
      release();
    }
  }
}
