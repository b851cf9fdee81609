/**
 * `compress --model <file|zoo name> --recipe <json|file> --data <dir> --out <F.mnlc> [--limit N]
 * [--resume] [--checkpoint-dir DIR] [--train-limit N] [--calibration <dir|train.bin>] [--seed 0]
 * [--batch 100] [--stop-after-step K] [--keep-checkpoint] [--backend wasm|cpu]`: runs the whole recipe
 * (core/compress/pipeline: gradual pruning with fine-tuning — QAT, distillation, exit head —,
 * compression, evaluation on the first N test records of --data with early exit at the recipe's
 * exitThreshold, score at the measured exit rate) and writes <F.mnlc> and <base>.recipe.json.
 * → { top1, top1EarlyExit, exitRate, score, paramsM, opsM, n, seconds, exitThreshold,
 *   resumedFrom, out, bytes, recipeFile, model, backend }.
 * Fine-tuning reads the training split of --data (its first --train-limit records). The run
 * checkpoints into DIR (default <F.mnlc>.ckpt) after every fine-tuning epoch and prune step;
 * `--resume` continues from there (refused when the recipe, model, seed or training set differ;
 * exitThreshold, exitBlend, countingProfile and freebie may: a finished run kept with --keep-checkpoint is
 * finished again under another exit threshold without training), and the checkpoint is removed
 * once the .mnlc is written unless --keep-checkpoint. A run never overwrites a checkpoint
 * it was not told to resume. SIGINT / SIGTERM, or --stop-after-step K (after the K-th prune step's
 * checkpoint), stop it cleanly → { status: "stopped", stepsDone, epochsDone, checkpointDir }.
 * Progress lines (stage, step, epoch, loss, ETA) go to stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import { explainBackendError } from '../../core/backend/explain-error';
import {
  formatSeconds,
  PipelineStateError,
  progressLine,
  runRecipe,
  type PipelineProgress,
} from '../../core/compress/pipeline';
import { Network } from '../../core/graph/network';
import { writeCompressed } from '../../core/io/compressed';
import { batchesPerEpoch } from '../../core/train/batching';
import { fineTuneAugment } from '../../core/compress/fine-tune';
import { cifarSource } from '../../core/train/cifar-source';
import { TrainControl } from '../../core/train/control';
import { numberFlag, optionalFlag, requireFlag, UsageError, type ParsedArgs } from '../args';
import { calibrationSource } from '../calibration';
import { CheckpointDir } from '../checkpoint-dir';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset } from '../node-files';
import { loadModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';
import { exportPaths } from './export';

function optionalInt(args: ParsedArgs, name: string, min = 1): number | undefined {
  return args.flags.has(name) ? numberFlag(args, name, 0, { min, integer: true }) : undefined;
}

/** stderr progress: every prune step, epoch end and stage, else at most one line per 30 s. */
function progressPrinter(perEpoch: number): (p: PipelineProgress) => void {
  let [lastStage, lastAt] = ['', 0];
  return (p) => {
    const now = performance.now();
    const epochEnd = p.metrics !== undefined && p.metrics.step % perEpoch === 0;
    const due =
      p.stage !== lastStage ||
      p.stage === 'prune' ||
      epochEnd ||
      p.fraction === 1 ||
      now - lastAt > 30_000;
    if (!due) return;
    [lastStage, lastAt] = [p.stage, now];
    process.stderr.write(`compress: ${progressLine(p)}\n`);
  };
}

function write(file: string, bytes: Uint8Array | string): number {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, bytes);
  return fs.statSync(file).size;
}

export async function compressCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  if (!args.flags.has('recipe')) throw new UsageError('missing --recipe <json|file>');
  const recipe = recipeFlag(args);
  const paths = exportPaths(requireFlag(args, 'out'));
  const modelSpec = requireFlag(args, 'model');
  const dataPath = requireFlag(args, 'data');
  const limit = optionalInt(args, 'limit');
  const trainLimit = optionalInt(args, 'train-limit', 2);
  const stopAfter = optionalInt(args, 'stop-after-step');
  const seed = numberFlag(args, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true });
  const evalBatchSize = numberFlag(args, 'batch', 100, { min: 1, max: 4096, integer: true });
  const resume = args.flags.get('resume') === true;
  if (args.flags.has('resume') && !resume) throw new UsageError('--resume takes no value');
  const keep = args.flags.get('keep-checkpoint') === true;
  if (args.flags.has('keep-checkpoint') && !keep)
    throw new UsageError('--keep-checkpoint takes no value');
  const dir = optionalFlag(args, 'checkpoint-dir') ?? `${paths.out}.ckpt`;
  const control = new TrainControl();
  const store = new CheckpointDir(dir, resume, (s) => {
    const within = s.epochsDone > 0 ? `, epoch ${s.epochsDone} of step ${s.stepsDone + 1}` : '';
    process.stderr.write(
      `compress: checkpoint saved after ${s.stepsDone} prune step(s)${within} (${formatSeconds(s.elapsedSeconds)} so far)\n`,
    );
    if (stopAfter !== undefined && s.stepsDone >= stopAfter && s.epochsDone === 0) control.cancel();
  });
  if (resume && !store.exists())
    throw new UsageError(`--resume: no checkpoint in ${dir} (start the run without --resume)`);
  if (!resume && store.exists()) {
    throw new UsageError(
      `${dir} holds the checkpoint of an earlier run (${store.describe()}): pass --resume to continue it, or delete it`,
    );
  }
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );
  const model = await loadModel(modelSpec, 0);
  const data = await loadDataset(dataPath);
  if (!data.train) throw new UsageError(`--data: ${dataPath} has no train split to fine-tune on`);
  if (!data.test) throw new UsageError(`--data: ${dataPath} has no test split to evaluate on`);
  const test = cifarSource(limitSplit(data.test, limit), null);
  const trainSplit = limitSplit(data.train, trainLimit);
  const train = cifarSource(trainSplit, fineTuneAugment(recipe.fineTune));
  const calibration =
    (await calibrationSource(args, model.graph, data, recipe)) ?? cifarSource(trainSplit, null);
  let signalled = false;
  const onSignal = () => {
    signalled = true;
    process.stderr.write('compress: stopping after the current batch…\n');
    control.cancel();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const net = Network.fromWeights(model.graph, model.weights);
  try {
    const r = await runRecipe({
      net,
      recipe,
      train,
      test,
      calibration,
      seed,
      control,
      onProgress: progressPrinter(
        batchesPerEpoch(
          Math.min(train.size, recipe.fineTune?.epochImages ?? train.size),
          recipe.fineTune?.batchSize ?? 32,
          false,
        ),
      ),
      checkpoint: store,
      evalBatchSize,
    });
    if (r.status === 'cancelled') {
      if (signalled) process.exitCode = 130;
      return {
        ...r,
        status: 'stopped',
        checkpointDir: dir,
        model: model.zooName,
        backend,
        threads: nodeThreads(),
      };
    }
    try {
      const bytes = write(paths.out, writeCompressed(r.data));
      write(paths.recipe, JSON.stringify(recipe, null, 2) + '\n');
      if (!keep) store.remove();
      const { top1, top1EarlyExit, exitRate, score, paramsM, opsM, n, seconds } = r;
      return {
        ...{ top1, top1EarlyExit, exitRate, score, paramsM, opsM, n, seconds },
        exitThreshold: r.exitThreshold,
        exitBlend: r.exitBlend,
        resumedFrom: r.resumedFrom,
        out: paths.out,
        bytes,
        recipeFile: paths.recipe,
        layerSparsity: r.layerSparsity,
        model: model.zooName,
        backend,
        threads: nodeThreads(),
      };
    } finally {
      r.network.dispose();
    }
  } catch (e) {
    if (e instanceof PipelineStateError) throw new UsageError(`--resume: ${dir}: ${e.message}`);
    throw explainBackendError(e, backend);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    net.dispose();
  }
}
