/**
 * `train --data <dir|file> --model <zoo name|lab file> --epochs E [--limit N] --out <file>`
 * Options: --batch 64, --lr 0.05, --schedule cosine|step|constant, --warmup <epochs>,
 * --momentum 0.9, --nesterov, --wd 5e-4, --label-smoothing 0, --augment none|standard|seed,
 * --seed 0, --backend wasm|cpu. Writes a lab checkpoint (safetensors + graph) to --out.
 */
import fs from 'node:fs';
import { SEED_AUGMENT, STANDARD_AUGMENT, type AugmentOptions } from '../../core/data/augment';
import { explainBackendError } from '../../core/backend/explain-error';
import { Network } from '../../core/graph/network';
import { writeLabCheckpoint } from '../../core/io/lab-checkpoint';
import { cifarSource } from '../../core/train/cifar-source';
import type { LrSchedule } from '../../core/train/schedule';
import { train } from '../../core/train/trainer';
import { numberFlag, optionalFlag, requireFlag, UsageError, type ParsedArgs } from '../args';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';

const AUGMENTS: Record<string, AugmentOptions | null> = {
  none: null,
  standard: STANDARD_AUGMENT,
  seed: SEED_AUGMENT,
};

function schedule(args: ParsedArgs, lr: number, epochs: number): LrSchedule {
  const kind = optionalFlag(args, 'schedule') ?? 'cosine';
  const warmupEpochs = numberFlag(args, 'warmup', 0, { min: 0, max: epochs });
  if (kind === 'cosine') return { kind, lr, warmupEpochs };
  if (kind === 'constant') return { kind, lr, warmupEpochs };
  if (kind === 'step') {
    const milestones = [0.5, 0.75].map((f) => Math.round(f * epochs));
    return { kind, lr, milestones, gamma: 0.1, warmupEpochs };
  }
  throw new UsageError(`--schedule must be cosine, step or constant, got "${kind}"`);
}

function augmentFlag(args: ParsedArgs): AugmentOptions | null {
  const name = optionalFlag(args, 'augment') ?? 'standard';
  const aug = AUGMENTS[name];
  if (aug === undefined)
    throw new UsageError(`--augment must be none, standard or seed, got "${name}"`);
  return aug;
}

export async function trainCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const dataPath = requireFlag(args, 'data');
  const modelSpec = requireFlag(args, 'model');
  const out = requireFlag(args, 'out');
  const epochs = numberFlag(args, 'epochs', 1, { min: 1, max: 10_000, integer: true });
  const limit = args.flags.has('limit')
    ? numberFlag(args, 'limit', 0, { min: 2, integer: true })
    : undefined;
  const batchSize = numberFlag(args, 'batch', 64, { min: 2, max: 4096, integer: true });
  const lr = numberFlag(args, 'lr', 0.05, { min: 0, max: 10 });
  const seed = numberFlag(args, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true });
  const augment = augmentFlag(args);
  const lrSchedule = schedule(args, lr, epochs);
  const sgd = {
    momentum: numberFlag(args, 'momentum', 0.9, { min: 0, max: 1 }),
    nesterov: args.flags.get('nesterov') === true,
    weightDecay: numberFlag(args, 'wd', 5e-4, { min: 0, max: 1 }),
  };
  const labelSmoothing = numberFlag(args, 'label-smoothing', 0, { min: 0, max: 0.99 });
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );

  const { graph, weights } = await loadModel(modelSpec, seed);
  const split = limitSplit(pickSplit(await loadDataset(dataPath), 'train'), limit);
  const net = Network.fromWeights(graph, weights);
  const started = performance.now();
  try {
    const r = await train({
      model: net,
      source: cifarSource(split, augment),
      epochs,
      batchSize,
      schedule: lrSchedule,
      sgd,
      seed,
      augment: augment !== null,
      labelSmoothing,
      metricsEvery: 50,
    });
    const seconds = (performance.now() - started) / 1000;
    const info = { epochs, batchSize, lr, seed, records: split.count, trainLoss: r.lastLoss };
    fs.writeFileSync(out, writeLabCheckpoint(graph, await net.toWeightsAsync(), info));
    return {
      status: r.status,
      model: graph.name,
      params: net.paramCount(),
      n: split.count,
      epochs: r.epochsCompleted,
      steps: r.steps,
      loss: r.lastLoss,
      trainTop1: r.lastAcc,
      seconds,
      imagesPerSecond: (r.steps * batchSize) / seconds,
      backend,
      threads: nodeThreads(),
      out,
    };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
