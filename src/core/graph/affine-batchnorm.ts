/**
 * Batch norm as a per-channel affine (eval only). An eval-mode BN computes
 *   y = γ·(x − μ) / sqrt(σ² + ε) + β = s·x + t,   s = γ / sqrt(σ² + ε),   t = β − μ·s   (per channel)
 * Every batchnorm node keeps its name and parameter names, rewritten to weight = s, bias = t,
 * running_mean = 0, running_var = 1 and spec.eps = 0, so forward's eval BN computes exactly
 * (x − 0)·s / sqrt(1 + 0) + t = s·x + t. This is what the MicroNet score counts for a BN left in
 * the graph (2C parameters: scale and shift) and what a compressed checkpoint stores; quantizing
 * s and t quantizes everything the BN holds.
 * Arithmetic: each step rounded to float32 (Math.fround) in the order
 *   s = γ / sqrt(σ² + ε), t = β − μ·s
 * — the same values as the tensor ops tf.div(γ, tf.sqrt(tf.add(σ², ε))), tf.sub(β, tf.mul(μ, s))
 * on the cpu and wasm backends (IEEE float32 +, ·, /, sqrt are correctly rounded there).
 * Training a network in this form is not meaningful (batch statistics replace μ, σ²).
 */
import type { Graph, GraphNode, TensorData, Weights } from './ir';

function get(weights: Weights, name: string): TensorData {
  const w = weights.get(name);
  if (!w) throw new Error(`affineBatchNorm: weights lack '${name}'`);
  return w;
}

/** s and t of one BN (float32 arithmetic, see the header). */
export function affineParams(
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  eps: number,
): { scale: Float32Array; shift: Float32Array } {
  const f = Math.fround;
  const scale = new Float32Array(gamma.length);
  const e = f(eps);
  for (let i = 0; i < scale.length; i++)
    scale[i] = f(gamma[i]! / f(Math.sqrt(f(variance[i]! + e))));
  return { scale, shift: affineShift(beta, mean, scale) };
}

/**
 * t = β − μ·s for a given scale s (float32 steps). Quantizers pass their quantized scale, so
 * s_q·x + t = s_q·(x − μ) + β stays exact around the mean even where s_q is far from s.
 */
export function affineShift(
  beta: Float32Array,
  mean: Float32Array,
  scale: Float32Array,
): Float32Array {
  const f = Math.fround;
  return Float32Array.from(scale, (s, i) => f(beta[i]! - f(mean[i]! * s)));
}

/** True when the BN node is already affine: eps 0, running mean all 0, running var all 1. */
export function isAffineBatchNorm(node: GraphNode, weights: Weights): boolean {
  if (node.spec.op !== 'batchnorm' || node.spec.eps !== 0) return false;
  const mean = get(weights, `${node.name}.running_mean`).data;
  const variance = get(weights, `${node.name}.running_var`).data;
  return mean.every((v) => v === 0) && variance.every((v) => v === 1);
}

/** The graph with eps = 0 on every batchnorm, or those `only` has (specs only; others shared). */
export function affineBatchNormGraph(graph: Graph, only?: { has(name: string): boolean }): Graph {
  const nodes = graph.nodes.map((n) =>
    n.spec.op === 'batchnorm' && (only?.has(n.name) ?? true)
      ? { ...n, spec: { ...n.spec, eps: 0 } }
      : n,
  );
  return { ...graph, nodes };
}

/**
 * Every batchnorm of `graph` in affine form (see the header): a new graph and weights map (BN
 * entries new, all others shared with the input). Inputs are not modified. BNs already affine
 * are left as they are, so applying it twice changes nothing.
 */
export function affineBatchNorm(
  graph: Graph,
  weights: Weights,
): { graph: Graph; weights: Weights } {
  const out: Weights = new Map(weights);
  for (const n of graph.nodes) {
    if (n.spec.op !== 'batchnorm' || isAffineBatchNorm(n, weights)) continue;
    const c = n.spec.channels;
    const { scale, shift } = affineParams(
      get(weights, `${n.name}.weight`).data,
      get(weights, `${n.name}.bias`).data,
      get(weights, `${n.name}.running_mean`).data,
      get(weights, `${n.name}.running_var`).data,
      n.spec.eps,
    );
    out.set(`${n.name}.weight`, { shape: [c], data: scale });
    out.set(`${n.name}.bias`, { shape: [c], data: shift });
    out.set(`${n.name}.running_mean`, { shape: [c], data: new Float32Array(c) });
    out.set(`${n.name}.running_var`, { shape: [c], data: new Float32Array(c).fill(1) });
  }
  return { graph: affineBatchNormGraph(graph), weights: out };
}
