/**
 * `score --model <file|zoo name> [--recipe <json|file>] [--exit-rate R]` → { score, paramsM,
 * opsM, mults, adds, freebie, layers, … } under the MicroNet Challenge rules. paramsM: 32-bit-
 * equivalent parameters in millions; for a network with an early exit, ops are the expected ops at
 * exit rate R (default: the rate recorded in a lab checkpoint's info, else 0). A compressed
 * checkpoint is scored as stored: its recipe (unless --recipe is given) with each layer's
 * sparsity from its mask, so storageBits is the file's parameter storage.
 */
import { scoreCompressed } from '../../core/compress/compressed-model';
import { scoreModel } from '../../core/compress/score-model';
import { numberFlag, requireFlag, type ParsedArgs } from '../args';
import { loadModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';

export async function scoreCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const given = args.flags.has('recipe') ? recipeFlag(args) : undefined;
  const model = await loadModel(requireFlag(args, 'model'), 0);
  const recorded = typeof model.info?.exitRate === 'number' ? model.info.exitRate : 0;
  const exitRate = numberFlag(args, 'exit-rate', recorded, { min: 0, max: 1 });
  const hasExit = model.graph.extraOutputs?.exit !== undefined;
  const o = { exitRate: hasExit || args.flags.has('exit-rate') ? exitRate : undefined };
  const recipe = given ?? model.compressed?.recipe ?? {};
  const r = model.compressed
    ? scoreCompressed(model.compressed, { ...o, recipe: given })
    : scoreModel(model.graph, model.weights, recipe, o);
  return {
    score: r.score,
    paramsM: r.params32 / 1e6,
    opsM: r.ops / 1e6,
    mults: r.mults,
    adds: r.adds,
    freebie: r.freebie,
    paramsTerm: r.paramsTerm,
    opsTerm: r.opsTerm,
    storageBits: r.storageBits,
    profile: r.profile,
    foldBN: r.foldBN,
    exitRate: r.exitRate,
    model: model.zooName,
    recipe,
    layers: r.layers,
  };
}
