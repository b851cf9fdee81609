/**
 * `analyse --model <file|zoo name> --data <file|dir> [--limit N] [--top-k 5] [--steps 40]
 * [--probes 4] [--density-steps 24] [--batch 32] [--seed 0] [--micro-batch M]
 * [--memory-budget MiB] [--backend wasm|cpu]` → { hessian: { top, trace, density },
 * layers: [{ name, eigA, eigG }], microBatch: { kfac, hessian }, n, model, backend }: the Hessian
 * of the mean cross-entropy of the main network over the first N records of the data (its test
 * split when it has one; no augmentation, BN in eval mode) with respect to all trainable
 * parameters, and the K-FAC factor spectra of every conv / fc layer over the same records. A batch
 * one pass cannot hold runs as micro-batches with exact accumulation (train/pass-memory.ts):
 * automatically on wasm and cpu, of at most --micro-batch records, or of as many as
 * --memory-budget MiB holds (on any backend).
 */
import { hessianSpectrum, sourceBatches } from '../../core/analysis/hessian';
import { kfacAnalysis } from '../../core/analysis/kfac';
import { explainBackendError } from '../../core/backend/explain-error';
import { Network } from '../../core/graph/network';
import type { CifarSplit } from '../../core/data/types';
import { cifarSource } from '../../core/train/cifar-source';
import type { MicroBatchOptions } from '../../core/train/pass-memory';
import { numberFlag, optionalFlag, requireFlag, type ParsedArgs } from '../args';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';

/** --micro-batch / --memory-budget (MiB), when given. */
function microBatchFlags(args: ParsedArgs): MicroBatchOptions {
  const o: MicroBatchOptions = {};
  if (optionalFlag(args, 'micro-batch') !== undefined)
    o.microBatch = numberFlag(args, 'micro-batch', 1, { min: 1, max: 4096, integer: true });
  if (optionalFlag(args, 'memory-budget') !== undefined)
    o.memoryBudget = numberFlag(args, 'memory-budget', 1, { min: 1e-6, max: 2 ** 20 }) * 2 ** 20;
  return o;
}

function settings(args: ParsedArgs) {
  const int = (name: string, fallback: number, min: number, max: number) =>
    numberFlag(args, name, fallback, { min, max, integer: true });
  return {
    limit: int('limit', 256, 1, Infinity),
    topK: int('top-k', 5, 1, 100),
    lanczosSteps: int('steps', 40, 2, 1000),
    probes: int('probes', 4, 1, 100),
    densitySteps: int('density-steps', 24, 2, 1000),
    batchSize: int('batch', 32, 1, 4096),
    seed: int('seed', 0, 0, 2 ** 32 - 1),
    micro: microBatchFlags(args),
  };
}

type Settings = ReturnType<typeof settings>;

/**
 * K-FAC over the first records in batches of `batch` (the whole limit when smaller; a remainder
 * that does not fill a batch is left out), then the Hessian over all of them.
 */
async function analyse(net: Network, split: CifarSplit, s: Settings) {
  const source = cifarSource(split, null);
  const batchSize = Math.min(s.batchSize, split.count);
  const kfac = await kfacAnalysis({
    net,
    source,
    batches: Math.floor(split.count / batchSize),
    batchSize,
    seed: s.seed,
    indices: Array.from({ length: split.count }, (_, i) => i),
    ...s.micro,
  });
  const hessian = await hessianSpectrum({
    net,
    batches: sourceBatches(source, split.count, batchSize),
    topK: s.topK,
    lanczosSteps: s.lanczosSteps,
    probes: s.probes,
    densitySteps: s.densitySteps,
    seed: s.seed,
    ...s.micro,
  });
  return { kfac, hessian };
}

export async function analyseCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const model = await loadModel(requireFlag(args, 'model'), 0);
  const dataPath = requireFlag(args, 'data');
  const s = settings(args);
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );
  const split = limitSplit(pickSplit(await loadDataset(dataPath), 'test'), s.limit);
  const net = Network.fromWeights(model.graph, model.weights);
  try {
    const { kfac, hessian: h } = await analyse(net, split, s);
    return {
      hessian: {
        top: h.top,
        trace: h.trace,
        traceStdErr: h.traceStdErr,
        density: h.density,
        params: h.params,
      },
      layers: kfac.layers.map((l) => ({
        name: l.name,
        eigA: Array.from(l.eigA),
        eigG: Array.from(l.eigG),
      })),
      skipped: kfac.skipped,
      microBatch: { kfac: kfac.microBatch, hessian: h.microBatch },
      n: split.count,
      model: model.zooName,
      backend,
      threads: nodeThreads(),
    };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
