/**
 * Which tensors a recipe quantizes, and at what width (MicroNet rules: a layer's multiplies see
 * its weights and the activation entering it).
 * - A layer is a conv2d / depthwise2d / dense node.
 * - Weight bits of a layer: recipe.layerBits[layer].weight ?? recipe.weightBits ?? 32 (its weight
 *   and bias); a batch norm left unfolded: recipe.weightBits ?? 32 (its weight and bias; running
 *   statistics are buffers, not parameters, and stay float as in the seed).
 * - Activation bits of a layer: recipe.layerBits[layer].activation ?? recipe.activationBits ?? 32,
 *   the width of the layer's input tensor.
 * 32 means "not quantized". No 16-bit freebie here: that is a counting rule (score/resolve.ts).
 */
import type { Graph, GraphNode } from '../../graph/ir';
import { isValidBits, type Recipe } from '../../recipe';
import { own } from '../../score/resolve';

export const NOT_QUANTIZED = 32;
export const DEFAULT_WEIGHT_LAMBDA = 10;
export const DEFAULT_ACTIVATION_LAMBDA = 18;
export const DEFAULT_CALIBRATION_BATCHES = 8;

export function isLayer(node: GraphNode): boolean {
  const op = node.spec.op;
  return op === 'conv2d' || op === 'depthwise2d' || op === 'dense';
}

export function layerNodes(graph: Graph): GraphNode[] {
  return graph.nodes.filter(isLayer);
}

function checked(where: string, v: number): number {
  if (!isValidBits(v)) throw new Error(`${where} must be an integer in 2–16 or 32, got ${v}`);
  return v;
}

export function weightBitsOf(recipe: Recipe, layer: string): number {
  const v = own(recipe.layerBits, layer)?.weight;
  if (v !== undefined) return checked(`recipe.layerBits[${JSON.stringify(layer)}].weight`, v);
  return checked('recipe.weightBits', recipe.weightBits ?? NOT_QUANTIZED);
}

export function activationBitsOf(recipe: Recipe, layer: string): number {
  const v = own(recipe.layerBits, layer)?.activation;
  if (v !== undefined) return checked(`recipe.layerBits[${JSON.stringify(layer)}].activation`, v);
  return checked('recipe.activationBits', recipe.activationBits ?? NOT_QUANTIZED);
}

/** Width of an unfolded batch norm's weight and bias. */
export function bnWeightBits(recipe: Recipe): number {
  return checked('recipe.weightBits', recipe.weightBits ?? NOT_QUANTIZED);
}

/** Every recipe.layerBits key must name a layer of the graph (catches typos, stale names). */
export function checkLayerBitsNames(graph: Graph, recipe: Recipe): void {
  const layers = new Set(layerNodes(graph).map((n) => n.name));
  for (const k of Object.keys(recipe.layerBits ?? {})) {
    if (!layers.has(k)) {
      const some = [...layers].slice(0, 4).join(', ');
      throw new Error(
        `recipe.layerBits names '${k}', which is not a conv/depthwise/dense layer of '${graph.name}' (e.g. ${some})`,
      );
    }
  }
}

/** Layer name → activation bits, for the layers whose input is quantized (bits < 32). */
export function quantizedInputs(graph: Graph, recipe: Recipe): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of layerNodes(graph)) {
    const bits = activationBitsOf(recipe, n.name);
    if (bits !== NOT_QUANTIZED) out.set(n.name, bits);
  }
  return out;
}

export function weightLambda(recipe: Recipe): number {
  return recipe.lambda ?? DEFAULT_WEIGHT_LAMBDA;
}

export function activationLambda(recipe: Recipe): number {
  return recipe.activationLambda ?? DEFAULT_ACTIVATION_LAMBDA;
}
