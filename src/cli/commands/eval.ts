/**
 * `eval --model <file|zoo name> --data <dir|file> [--limit N] [--batch B] [--threshold T]
 * [--backend wasm|cpu] [--recipe <json|file>] [--calibration <dir|file>]` → { top1, top5, n,
 * loss, backend, imagesPerSecond, model } plus { top1EarlyExit, exitRate, exitThreshold } for a
 * network with an early-exit head (exit when the exit head's max softmax > T; T defaults to the
 * recipe's exitThreshold — --recipe's, else a compressed checkpoint's stored one — else 0.85).
 * With --recipe: accuracy with the recipe's sparsity and quantization applied, plus `recipe`,
 * `layerSparsity` and `score` (the MicroNet score at the exit rate just measured); activation
 * quantizers calibrate on the training split of --data (or of --calibration).
 * A compressed checkpoint (`export`) runs as exported: its weights with its activation
 * quantizers (plus `compressed: true` and its stored `recipe`); with --recipe its dequantized
 * weights are compressed again like any checkpoint's.
 */
import { explainBackendError } from '../../core/backend/explain-error';
import { Network } from '../../core/graph/network';
import { cifarSource } from '../../core/train/cifar-source';
import { evaluateRecipe } from '../../core/compress/apply-recipe';
import { compressedNetwork } from '../../core/compress/compressed-model';
import { exitBlendOf, exitThresholdOf } from '../../core/compress/exit-threshold';
import { scoreModel } from '../../core/compress/score-model';
import { evaluateNetwork } from '../../core/train/evaluate-network';
import { numberFlag, optionalFlag, requireFlag, type ParsedArgs } from '../args';
import { calibrationSource } from '../calibration';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';

export async function evalCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const modelSpec = requireFlag(args, 'model');
  const dataPath = requireFlag(args, 'data');
  const limit = args.flags.has('limit')
    ? numberFlag(args, 'limit', 0, { min: 1, integer: true })
    : undefined;
  const batchSize = numberFlag(args, 'batch', 100, { min: 1, max: 4096, integer: true });
  const given = args.flags.has('threshold')
    ? numberFlag(args, 'threshold', 0, { min: 0, max: 1 })
    : undefined;
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );
  const recipe = args.flags.has('recipe') ? recipeFlag(args) : undefined;
  const model = await loadModel(modelSpec, 0);
  const threshold = exitThresholdOf(recipe ?? model.compressed?.recipe, given);
  const blend = exitBlendOf(recipe ?? model.compressed?.recipe);
  const hasExit = model.graph.extraOutputs?.exit !== undefined;
  const exitInfo = hasExit ? { exitThreshold: threshold, exitBlend: blend } : {};
  const data = await loadDataset(dataPath);
  const split = limitSplit(pickSplit(data, 'test'), limit);
  const calibration = recipe ? await calibrationSource(args, model.graph, data, recipe) : undefined;
  const asExported = model.compressed !== undefined && !recipe;
  const net = asExported
    ? compressedNetwork(model.compressed!)
    : Network.fromWeights(model.graph, model.weights);
  try {
    const source = cifarSource(split, null);
    if (recipe && net instanceof Network) {
      const r = await evaluateRecipe(net, recipe, {
        source,
        calibration,
        batchSize,
        threshold,
        blend,
      });
      const s = scoreModel(model.graph, model.weights, recipe, {
        exitRate: r.exitRate,
        detail: false,
      });
      return {
        ...r,
        ...exitInfo,
        score: s.score,
        backend,
        threads: nodeThreads(),
        model: model.zooName,
        recipe,
      };
    }
    const r = await evaluateNetwork(net, source, { batchSize, threshold, blend });
    const extra = asExported ? { compressed: true, recipe: model.compressed!.recipe } : {};
    return { ...r, ...exitInfo, backend, threads: nodeThreads(), model: model.zooName, ...extra };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
