// Test-only helpers for structure/: eval forward to plain arrays, random orthogonal matrices,
// and "silencing" channels in an unpruned network (an independent model of what pruning does).
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, TensorData, Weights } from '../../graph/ir';
import { Network } from '../../graph/network';
import { makeRng, randNormal } from '../../util/rng';
import { initWeights, listParams } from '../../graph/params';
import type { ChannelGroup } from './channel-groups';

/**
 * initWeights, then every vector made non-trivial (BN γ ~ 1 + 0.3·N, biases / β / running mean
 * ~ 0.1·N, running var ~ U(0.5, 1.5)) so that a wrong channel index anywhere changes the output.
 */
export function randomWeights(graph: Graph, seed: number): Weights {
  const w = initWeights(graph, seed);
  const rng = makeRng(seed + 1);
  for (const p of listParams(graph)) {
    if (p.shape.length !== 1) continue;
    const f =
      p.kind === 'running_var'
        ? () => 0.5 + rng()
        : p.kind === 'weight'
          ? () => 1 + 0.3 * randNormal(rng)
          : () => 0.1 * randNormal(rng);
    w.set(p.name, { shape: [...p.shape], data: Float32Array.from({ length: p.shape[0]! }, f) });
  }
  return w;
}

/** Eval-mode main output (and extra outputs) of graph+weights on x, as arrays; no tensors leak. */
export function runEval(graph: Graph, weights: Weights, x: tf.Tensor4D): Float32Array[] {
  const net = Network.fromWeights(graph, weights);
  const { output, extra } = net.forward(x, { training: false });
  const outs = [output, ...Object.values(extra)];
  const arrays = outs.map((t) => t.dataSync() as Float32Array);
  outs.forEach((t) => t.dispose());
  net.dispose();
  return arrays;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Seeded random orthogonal n×n matrix, row-major (Gram–Schmidt of a Gaussian matrix, twice). */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  const cols = Array.from({ length: n }, () =>
    Float64Array.from({ length: n }, () => randNormal(rng)),
  );
  for (let j = 0; j < n; j++) {
    const v = cols[j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const u = cols[k]!;
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i]! * v[i]!;
        for (let i = 0; i < n; i++) v[i] = v[i]! - d * u[i]!;
      }
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
  }
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[i * n + j] = cols[j]![i]!;
  return q;
}

function zeroLast(t: TensorData, positions: number[], axis: number): TensorData {
  const data = t.data.slice();
  const n = t.shape[axis]!;
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const drop = new Set(positions);
  for (let k = 0; k < data.length; k++) if (drop.has(Math.floor(k / inner) % n)) data[k] = 0;
  return { shape: [...t.shape], data };
}

/**
 * Copy of `weights` where the channels a keep set removes are forced to zero where they are made:
 * BN γ = β = 0, conv / depthwise / dense output filters and biases = 0. With ReLU / swish (f(0) = 0)
 * and SE gates multiplying zeros, those channels then carry exact zeros, so the network computes
 * what the pruned network computes.
 */
export function silenceChannels(
  graph: Graph,
  weights: Weights,
  groups: readonly ChannelGroup[],
  keep: Readonly<Record<string, readonly number[]>>,
): Weights {
  const out: Weights = new Map(weights);
  const ops = new Map(graph.nodes.map((n) => [n.name, n.spec.op]));
  for (const g of groups) {
    const kept = keep[g.id];
    if (!kept) continue;
    const dropped = new Set(
      Array.from({ length: g.width }, (_, j) => j).filter((j) => !kept.includes(j)),
    );
    for (const m of g.members) {
      if (m.axis !== 'out') continue;
      const pos = m.positions.filter((_, i) => dropped.has(i % g.width));
      const op = ops.get(m.node);
      const names = [`${m.node}.weight`, `${m.node}.bias`].filter((k) => out.has(k));
      for (const name of names) {
        const t = out.get(name)!;
        const axis = t.shape.length === 1 ? 0 : op === 'conv2d' ? 3 : op === 'dense' ? 1 : 2;
        if (op === 'batchnorm' || op === 'conv2d' || op === 'dense' || op === 'depthwise2d')
          out.set(name, zeroLast(t, pos, axis));
      }
    }
  }
  return out;
}

export function randomInput(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => randNormal(rng)),
    shape,
  );
}
