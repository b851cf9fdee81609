/**
 * The worker's network: builds zoo models (core/models), trains them on the loaded train split
 * with core's mini-batch SGD loop (Nesterov momentum 0.9, weight decay 5e-4 off BN/bias, cosine
 * learning rate) and evaluates top-1 / top-5 on the test split (plus top-1 under the early-exit
 * rule for a network with an exit head, e.g. OSI-AI MicroNet). Both work on the worker's one
 * current network (./current-network.ts), which an import may also have set; the trained network
 * stays current for evaluation (also after a cancel).
 */
import * as tf from '@tensorflow/tfjs-core';
import { explainBackendError } from '../core/backend/explain-error.ts';
import type { AugmentOptions } from '../core/data/augment.ts';
import type { CifarDataset } from '../core/data/types.ts';
import { Network } from '../core/graph/network.ts';
import { countParams } from '../core/graph/params.ts';
import { buildFromZooName, ZOO_NAMES } from '../core/models/zoo.ts';
import { TrainControl } from '../core/train/control.ts';
import type { EvalProgress } from '../core/train/evaluate.ts';
import { evaluateNetwork } from '../core/train/evaluate-network.ts';
import { networkModel } from '../core/train/network-model.ts';
import { train, type TrainMetrics } from '../core/train/trainer.ts';
import { cifarSource } from '../core/train/cifar-source.ts';
import type { CurrentNetwork } from './current-network.ts';
import { batcher, type WorkerJob } from './job-registry.ts';
import type {
  AugmentConfig,
  BackendInfo,
  EarlyExitStats,
  EvalConfig,
  EvalResult,
  JobProgress,
  MetricPoint,
  ModelInfo,
  TrainConfig,
  TrainSummary,
} from './lab-types.ts';

export const DEFAULT_MODEL = 'pyramidnet-bottleneck-20-a48';
const METRICS_FLUSH_MS = 250;
/** Early-exit rule (graph.extraOutputs.exit): exit when the head's max softmax > this. */
const EXIT_THRESHOLD = 0.85;

type Report = (p: JobProgress) => void;

export interface TrainHooks {
  job: WorkerJob;
  report: Report;
  onMetrics: (points: MetricPoint[]) => void;
}

function augmentOptions(a: AugmentConfig): AugmentOptions | null {
  if (!a.cropFlip && !a.cutout && !a.autoAugment) return null;
  return {
    pad: a.cropFlip ? 4 : 0,
    flip: a.cropFlip,
    cutout: a.cutout ? 16 : 0,
    autoAugment: a.autoAugment,
  };
}

function checkConfig(c: TrainConfig): void {
  if (!Number.isInteger(c.epochs) || c.epochs < 1)
    throw new Error(`epochs must be ≥ 1, got ${c.epochs}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 2) {
    throw new Error(`batch size must be a whole number ≥ 2, got ${c.batchSize}`);
  }
  if (!(c.learningRate > 0)) throw new Error(`learning rate must be > 0, got ${c.learningRate}`);
}

function evalReport(report: Report): (p: EvalProgress) => void {
  return (p) =>
    report({
      phase: `${p.imagesPerSecond.toFixed(p.imagesPerSecond < 10 ? 1 : 0)} images/s`,
      done: p.done,
      total: p.total,
      unit: 'images',
      etaSeconds: p.etaSeconds,
    });
}

export class TrainService {
  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
  ) {}

  listModels(): ModelInfo[] {
    const names = [...new Set<string>(['tiny', DEFAULT_MODEL, ...ZOO_NAMES])];
    return names.map((name) => ({ name, params: countParams(buildFromZooName(name)) }));
  }

  private replaceNet(name: string, seed: number): Network {
    return this.current.replace(Network.fromInit(buildFromZooName(name), seed), 'initialised');
  }

  async train(
    config: TrainConfig,
    data: CifarDataset | null,
    hooks: TrainHooks,
  ): Promise<TrainSummary> {
    checkConfig(config);
    const split = data?.train;
    if (!split) throw new Error('No train split loaded: load train.bin or the archive first');
    await this.ensureBackend();
    const net = this.replaceNet(config.model, config.seed);
    const release = this.current.hold('training');
    const control = new TrainControl();
    hooks.job.pausable = control;
    const { signal } = hooks.job.controller;
    const onAbort = () => control.cancel();
    signal.addEventListener('abort', onAbort);
    const metrics = batcher(hooks.onMetrics, METRICS_FLUSH_MS);
    const t0 = performance.now();
    const augment = augmentOptions(config.augment);
    const totalGuess = Math.ceil(split.count / config.batchSize) * config.epochs;
    hooks.report({
      phase: 'building the network',
      done: 0,
      total: totalGuess,
      unit: 'steps',
      etaSeconds: null,
    });
    try {
      const result = await train({
        model: networkModel(net),
        source: cifarSource(split, augment),
        epochs: config.epochs,
        batchSize: config.batchSize,
        schedule: { kind: 'cosine', lr: config.learningRate },
        sgd: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, excludeFromDecay: 'bn-and-bias' },
        seed: config.seed,
        augment: augment !== null,
        metricsEvery: totalGuess <= 500 ? 1 : 5,
        control,
        onMetrics: (m: TrainMetrics) => {
          metrics.push({
            step: m.step,
            epoch: m.epoch + 1,
            loss: m.loss,
            accuracy: m.acc,
            learningRate: m.lr,
          });
          hooks.report({
            phase: `epoch ${m.epoch + 1} of ${config.epochs} · ${m.imagesPerSecond.toFixed(1)} images/s`,
            done: m.step,
            total: m.totalSteps,
            unit: 'steps',
            etaSeconds: m.etaSeconds,
          });
        },
      });
      if (result.steps > 0) this.current.markTrained();
      if (result.status === 'diverged')
        throw new Error(`Training diverged: ${result.message ?? 'loss is not finite'}`);
      return {
        steps: result.steps,
        epochs: result.epochsCompleted,
        cancelled: result.status === 'cancelled',
        finalLoss: Number.isFinite(result.lastLoss) ? result.lastLoss : null,
        finalAccuracy: Number.isFinite(result.lastAcc) ? result.lastAcc : null,
        seconds: (performance.now() - t0) / 1000,
      };
    } catch (e) {
      throw explainBackendError(e, tf.getBackend());
    } finally {
      metrics.flush();
      signal.removeEventListener('abort', onAbort);
      hooks.job.pausable = null;
      release();
    }
  }

  async evaluate(
    model: string,
    config: EvalConfig,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<EvalResult> {
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
    const source = cifarSource(split, null);
    const opts = {
      batchSize: config.batchSize,
      signal: hooks.signal,
      onProgress: evalReport(hooks.report),
    };
    try {
      const r = await evaluateNetwork(net, source, { ...opts, threshold: EXIT_THRESHOLD });
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
