/**
 * `prune --model <file|zoo name> --recipe <json|file> --data <dir|file> [--limit N] --out <file>
 * [--batch 32] [--seed 0] [--backend wasm|cpu]`: structured pruning by `recipe.prune`
 * ({"prune":{"method":"channels"|"eigenbasis","ratio":0.2,"layerRatios":{…}}}). One shot, or the
 * schedule (prune → fine-tune → grow back …) when `prune.iterations` > 1 or `fineTune.epochs` > 0;
 * fine-tuning and the K-FAC analysis read the training split of --data, accuracy the first N test
 * records. Writes a lab checkpoint to --out → { params, paramsBefore, method, top1Before, top1,
 * history, out, … }.
 */
import fs from 'node:fs';
import { pruneSchedule } from '../../core/compress/prune';
import { explainBackendError } from '../../core/backend/explain-error';
import { countParams } from '../../core/graph/params';
import { writeLabCheckpoint } from '../../core/io/lab-checkpoint';
import { cifarSource } from '../../core/train/cifar-source';
import { evaluateWeights } from '../../core/train/evaluate-network';
import { numberFlag, optionalFlag, requireFlag, UsageError, type ParsedArgs } from '../args';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';

export async function pruneCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const recipe = recipeFlag(args);
  if (!recipe.prune)
    throw new UsageError(
      '--recipe has no "prune" section (e.g. {"prune":{"method":"channels","ratio":0.2}})',
    );
  const model = await loadModel(requireFlag(args, 'model'), 0);
  const data = await loadDataset(requireFlag(args, 'data'));
  const out = requireFlag(args, 'out');
  const limit = args.flags.has('limit')
    ? numberFlag(args, 'limit', 0, { min: 1, integer: true })
    : undefined;
  const batchSize = numberFlag(args, 'batch', 32, { min: 1, max: 4096, integer: true });
  const seed = numberFlag(args, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true });
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );
  const validation = cifarSource(limitSplit(pickSplit(data, 'test'), limit), null);
  const train = cifarSource(pickSplit(data, 'train'), null);
  const spec = recipe.prune;
  const fineTune = { epochs: 0, ...recipe.fineTune };
  const started = performance.now();
  try {
    const top1Before = (
      await evaluateWeights(model.graph, model.weights, validation, { batchSize })
    ).top1;
    const r = await pruneSchedule({
      graph: model.graph,
      weights: model.weights,
      spec,
      fineTune,
      train,
      validation,
      batchSize,
      seed,
    });
    const params = countParams(r.graph);
    const info = { prunedFrom: model.zooName, recipe, history: r.history };
    fs.writeFileSync(out, writeLabCheckpoint(r.graph, r.weights, info));
    return {
      status: r.status,
      method: spec.method,
      params,
      paramsBefore: countParams(model.graph),
      top1Before,
      top1: r.history.at(-1)?.top1 ?? top1Before,
      n: validation.size,
      history: r.history,
      seconds: (performance.now() - started) / 1000,
      model: model.zooName,
      backend,
      threads: nodeThreads(),
      out,
    };
  } catch (e) {
    throw explainBackendError(e, backend);
  }
}
