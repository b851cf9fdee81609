/**
 * The base every sensitivity probe runs from: the recipe with its weight widths removed (every
 * layer but the probed one keeps float weights), the base sparsity applied, BN folded and the
 * activation quantizers calibrated ONCE on those float weights. A probe then swaps one layer's
 * weights in place and evaluates — no network rebuild, no recalibration per probe (a calibration
 * is several forward passes on training batches, far more than one probe's evaluation; the
 * difference to compressNetwork, which calibrates with the probed layer quantized, is a
 * second-order effect on the activation ranges; probe-base.test.ts checks that without
 * activation quantization the two agree exactly).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, TensorData, Weights } from '../../graph/ir';
import { Network } from '../../graph/network';
import type { LayerBits, Recipe } from '../../recipe';
import { evaluate, type EvalOptions } from '../../train/evaluate';
import type { BatchSource } from '../../train/types';
import { hookedRunner, quantizeNetwork } from '../quant';
import type { HookedRunner } from '../quant/quantized-model';
import { effectiveLayerSparsity } from '../score-model';
import { applyMasks, magnitudeMasks } from '../sparsity';

/** `base` without weight widths: layerBits keep only their activation entries. */
export function probeRecipe(base: Recipe): Recipe {
  const r: Recipe = { ...base };
  delete r.weightBits;
  delete r.freebie; // a probe quantizes below 16 bits: the freebie cannot apply
  const lb: Record<string, LayerBits> = {};
  for (const [k, v] of Object.entries(base.layerBits ?? {}))
    if (v.activation !== undefined) lb[k] = { activation: v.activation };
  if (Object.keys(lb).length > 0) r.layerBits = lb;
  else delete r.layerBits;
  return r;
}

export function prunes(recipe: Recipe): boolean {
  return (recipe.sparsity ?? 0) > 0 || Object.keys(recipe.layerSparsity ?? {}).length > 0;
}

export interface ProbeBase {
  /** The recipe every probe adds one layer to. */
  recipe: Recipe;
  /** Original graph and its weights after the base sparsity (masks are computed on these). */
  sparseWeights: Weights;
  /** Zero fraction of every prunable layer after the base sparsity. */
  zeros: Record<string, number>;
  /** What runs: BN folded (unless foldBN is false), batch norms left as affine, float weights. */
  graph: Graph;
  weights: Weights;
  net: Network;
  runner: HookedRunner;
  /** Replace some parameters (by name) of the running network. */
  set(params: ReadonlyMap<string, TensorData>): void;
  /** Put those parameters back to the base weights. */
  restore(names: Iterable<string>): void;
  /** Main-output loss and top-1 on the whole source (micro-batched where needed: evaluate.ts). */
  evaluate(source: BatchSource, o: EvalOptions): Promise<Point>;
  dispose(): void;
}

export interface Point {
  loss: number;
  top1: number;
}

async function deployed(net: Network, recipe: Recipe, calibration: BatchSource | undefined) {
  const dense = await net.toWeightsAsync();
  const sparse = prunes(recipe)
    ? applyMasks(dense, magnitudeMasks(net.graph, dense, recipe))
    : dense;
  const copy = Network.fromWeights(net.graph, sparse);
  try {
    const c = calibration ? { source: calibration } : undefined;
    const q = await quantizeNetwork(copy, recipe, c);
    return { sparse, q };
  } finally {
    copy.dispose();
  }
}

/** Builds the probe base of `net` (not modified); the caller disposes it. */
export async function probeBase(
  net: Network,
  base: Recipe,
  calibration?: BatchSource,
): Promise<ProbeBase> {
  const recipe = probeRecipe(base);
  const { sparse, q } = await deployed(net, recipe, calibration);
  const { graph, weights, inputHook } = q;
  q.dispose(); // its hook is plain data (the activation quantizers); run our own copy
  const run = Network.fromWeights(graph, weights);
  const runner = hookedRunner(run, inputHook, 'a sensitivity probe');
  const assign = (name: string, t: TensorData) =>
    tf.tidy(() => run.getTensor(name).assign(tf.tensor(t.data, t.shape, 'float32')));
  return {
    recipe,
    sparseWeights: sparse,
    zeros: effectiveLayerSparsity(net.graph, sparse, {}),
    graph,
    weights,
    net: run,
    runner,
    set: (params) => params.forEach((t, name) => assign(name, t)),
    restore(names) {
      for (const name of names) {
        const t = weights.get(name);
        if (!t) throw new Error(`sensitivity: base weights have no '${name}'`);
        assign(name, t);
      }
    },
    async evaluate(source, o) {
      const r = await evaluate(runner, source, o);
      return { loss: r.loss, top1: r.top1 };
    },
    dispose: () => run.dispose(),
  };
}
