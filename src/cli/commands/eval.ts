/**
 * `eval --model <file|zoo name> --data <dir|file> [--limit N] [--batch B] [--threshold 0.85]
 * [--backend wasm|cpu]` → { top1, top5, n, loss, backend, imagesPerSecond, model } plus
 * { top1EarlyExit, exitRate } for a network with an early-exit head (exit when the exit head's
 * max softmax > threshold).
 */
import { explainBackendError } from '../../core/backend/explain-error';
import { Network } from '../../core/graph/network';
import { cifarSource } from '../../core/train/cifar-source';
import { evaluateNetwork } from '../../core/train/evaluate-network';
import { numberFlag, optionalFlag, requireFlag, type ParsedArgs } from '../args';
import { selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';

export async function evalCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const modelSpec = requireFlag(args, 'model');
  const dataPath = requireFlag(args, 'data');
  const limit = args.flags.has('limit')
    ? numberFlag(args, 'limit', 0, { min: 1, integer: true })
    : undefined;
  const batchSize = numberFlag(args, 'batch', 100, { min: 1, max: 4096, integer: true });
  const threshold = numberFlag(args, 'threshold', 0.85, { min: 0, max: 1 });
  const backend = await selectNodeBackend(optionalFlag(args, 'backend'));
  const model = await loadModel(modelSpec, 0);
  const split = limitSplit(pickSplit(await loadDataset(dataPath), 'test'), limit);
  const net = Network.fromWeights(model.graph, model.weights);
  try {
    const r = await evaluateNetwork(net, cifarSource(split, null), { batchSize, threshold });
    return { ...r, backend, model: model.zooName };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
