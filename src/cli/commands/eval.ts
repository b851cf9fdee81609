/** `eval --model <file> --data <dir|file> [--limit N] [--batch B] [--backend wasm|cpu]` */
import { explainBackendError } from '../../core/backend/explain-error';
import { Network } from '../../core/graph/network';
import { cifarSource } from '../../core/train/cifar-source';
import { evaluate } from '../../core/train/evaluate';
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
  const backend = await selectNodeBackend(optionalFlag(args, 'backend'));
  const { graph, weights } = loadModel(modelSpec, 0);
  const split = limitSplit(pickSplit(await loadDataset(dataPath), 'test'), limit);
  const net = Network.fromWeights(graph, weights);
  try {
    const r = await evaluate(net, cifarSource(split, null), { batchSize });
    return {
      top1: r.top1,
      top5: r.top5,
      n: r.n,
      loss: r.loss,
      backend,
      imagesPerSecond: r.imagesPerSecond,
      model: graph.name,
    };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
