/**
 * `analyse --model <file|zoo name> --data <file|dir> [--limit N] [--top-k 5] [--steps 40]
 * [--probes 4] [--batch 32] [--seed 0] [--backend wasm|cpu]` → { hessian: { top, trace,
 * density }, layers: [{ name, eigA, eigG }], n, model, backend }: the Hessian of the mean
 * cross-entropy of the main network over the first N records of the data (its test split when it
 * has one; no augmentation, BN in eval mode) with respect to all trainable parameters, and the
 * K-FAC factor spectra of every conv / fc layer over the same records.
 */
import { hessianSpectrum, sourceBatches } from '../../core/analysis/hessian';
import { kfacAnalysis } from '../../core/analysis/kfac';
import { explainBackendError } from '../../core/backend/explain-error';
import { Network } from '../../core/graph/network';
import { cifarSource } from '../../core/train/cifar-source';
import { numberFlag, optionalFlag, requireFlag, type ParsedArgs } from '../args';
import { selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';

export async function analyseCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const model = await loadModel(requireFlag(args, 'model'), 0);
  const dataPath = requireFlag(args, 'data');
  const limit = numberFlag(args, 'limit', 256, { min: 1, integer: true });
  const topK = numberFlag(args, 'top-k', 5, { min: 1, max: 100, integer: true });
  const steps = numberFlag(args, 'steps', 40, { min: 2, max: 1000, integer: true });
  const probes = numberFlag(args, 'probes', 4, { min: 1, max: 100, integer: true });
  const batchSize = numberFlag(args, 'batch', 32, { min: 1, max: 4096, integer: true });
  const seed = numberFlag(args, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true });
  const backend = await selectNodeBackend(optionalFlag(args, 'backend'));
  const split = limitSplit(pickSplit(await loadDataset(dataPath), 'test'), limit);
  const source = cifarSource(split, null);
  const net = Network.fromWeights(model.graph, model.weights);
  try {
    const kfac = await kfacAnalysis({
      net,
      source,
      batches: Math.ceil(split.count / batchSize),
      batchSize,
      seed,
      indices: Array.from({ length: split.count }, (_, i) => i),
    });
    const h = await hessianSpectrum({
      net,
      batches: sourceBatches(source, split.count, batchSize),
      topK,
      lanczosSteps: steps,
      probes,
      seed,
    });
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
      n: split.count,
      model: model.zooName,
      backend,
    };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
