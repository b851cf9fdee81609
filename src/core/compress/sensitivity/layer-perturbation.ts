/**
 * One layer's weights under one probe, as replacement tensors for the probe base's running
 * network: quantized at a width (the quant module's own quantizer, so the recipe's granularity
 * and exponent method apply), or with an extra share of its remaining weights magnitude-pruned.
 */
import type { GraphNode, TensorData, Weights } from '../../graph/ir';
import { nodeParams } from '../../graph/params';
import type { Recipe } from '../../recipe';
import { quantizeWeights } from '../quant';
import { layerBits, masksForCounts, type LayerBits } from '../sparsity/magnitude-masks';
import { targetZeros } from '../sparsity/prunable-layers';
import type { ProbeBase } from './probe-base';

/**
 * Final zero fraction of a layer that has `zeros` of its weights at zero and loses an extra
 * share `extra` of its non-zeros: z + extra·(1 − z) — what recipe.layerSparsity takes.
 */
export function sparsityTarget(zeros: number, extra: number): number {
  if (!(extra >= 0 && extra < 1)) throw new Error(`extra sparsity must be in [0, 1), got ${extra}`);
  return zeros + extra * (1 - zeros);
}

function nodeOf(base: ProbeBase, layer: string): GraphNode {
  const node = base.graph.nodes.find((n) => n.name === layer);
  if (!node) throw new Error(`sensitivity: '${layer}' is not a node of '${base.graph.name}'`);
  return node;
}

/** The layer's weight (and bias) at `bits`, quantized as the recipe would (that layer alone). */
export function quantizedLayer(
  base: ProbeBase,
  layer: string,
  bits: number,
): Map<string, TensorData> {
  const node = nodeOf(base, layer);
  // A one-node graph: quantizeWeights then touches this layer only (no BN re-affined per probe).
  const graph = { ...base.graph, nodes: [node] };
  const recipe: Recipe = { ...base.recipe, layerBits: { [layer]: { weight: bits } } };
  const q = quantizeWeights(graph, base.weights, recipe);
  const out = new Map<string, TensorData>();
  for (const p of nodeParams(node)) {
    if (p.kind !== 'weight' && p.kind !== 'bias') continue;
    const t = q.weights.get(p.name);
    if (!t) throw new Error(`sensitivity: quantized weights lack '${p.name}'`);
    out.set(p.name, t);
  }
  return out;
}

/** ‖Q_b(w) − w‖² of the layer's weight (not its bias) at `bits`. */
export function quantizationErrorSq(base: ProbeBase, layer: string, bits: number): number {
  const name = `${layer}.weight`;
  const w = base.weights.get(name)?.data;
  const q = quantizedLayer(base, layer, bits).get(name)?.data;
  if (!w || !q) throw new Error(`sensitivity: no '${name}' to quantize`);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (q[i]! - w[i]!) ** 2;
  return s;
}

/** Magnitude bits of every prunable layer of the base's sparse (unfolded) weights. */
export function layerMagnitudes(
  graph: ProbeBase['graph'],
  sparse: Weights,
): Map<string, LayerBits> {
  return new Map(layerBits(graph, sparse).map((l) => [l.name, l]));
}

/**
 * The layer's running weight with an extra share `extra` of its non-zeros pruned, smallest |w|
 * first. The mask is chosen on the unfolded weights (as compressNetwork prunes before folding)
 * and applied to the running (folded) weight: folding scales whole output channels, so the
 * layout and the zeros are the same.
 */
export function prunedLayer(
  base: ProbeBase,
  magnitudes: ReadonlyMap<string, LayerBits>,
  layer: string,
  extra: number,
): Map<string, TensorData> {
  const l = magnitudes.get(layer);
  if (!l) throw new Error(`sensitivity: '${layer}' is not a prunable layer`);
  const zeros = targetZeros(l.zeros, l.size, sparsityTarget(l.zeros / l.size, extra));
  const mask = masksForCounts([l], { globalRemove: 0, layerZeros: new Map([[layer, zeros]]) });
  const m = mask.get(layer)!;
  const name = `${layer}.weight`;
  const w = base.weights.get(name);
  if (!w || w.data.length !== m.length)
    throw new Error(`sensitivity: running '${name}' does not match its mask (${m.length} entries)`);
  const data = new Float32Array(m.length);
  for (let i = 0; i < m.length; i++) data[i] = m[i] ? w.data[i]! : 0;
  return new Map([[name, { shape: [...w.shape], data }]]);
}
