/** Test helpers: a graph of dense layers (one per array) and random layer weights. */
import type { Graph, GraphNode, Weights } from '../../graph/ir';
import { makeRng, randNormal } from '../../util/rng';

/** Dense layers `l0, l1, …` of [n, 1] weights holding the given values (no forward needed). */
export function denseNet(layers: readonly (readonly number[] | Float32Array)[]): {
  graph: Graph;
  weights: Weights;
} {
  const nodes: GraphNode[] = layers.map((w, i) => ({
    name: `l${i}`,
    inputs: [],
    spec: { op: 'dense', inFeatures: w.length, outFeatures: 1, bias: false },
  }));
  const weights: Weights = new Map(
    layers.map((w, i) => [`l${i}.weight`, { shape: [w.length, 1], data: Float32Array.from(w) }]),
  );
  const graph: Graph = {
    format: 'micronet-lab-graph',
    version: 1,
    name: 'dense-test',
    numClasses: 1,
    nodes,
    output: `l${layers.length - 1}`,
  };
  return { graph, weights };
}

/**
 * `n` normal values of scale `std` with a `zeroFrac` share of exact zeros; `levels` > 0 rounds
 * |w| to that many steps per unit (forces ties).
 */
export function randomLayer(
  seed: number,
  n: number,
  std: number,
  zeroFrac = 0,
  levels = 0,
): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => {
    if (rng() < zeroFrac) return 0;
    const v = randNormal(rng) * std;
    return levels > 0 ? Math.round(v * levels) / levels : v;
  });
}

/** Reference masks by a full sort on (|w|, layer, index) — slow, obviously correct. */
export function referenceMasks(layers: readonly Float32Array[], remove: number): Uint8Array[] {
  const all: [number, number, number][] = [];
  layers.forEach((w, l) => w.forEach((v, i) => v !== 0 && all.push([Math.abs(v), l, i])));
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const masks = layers.map((w) => Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0)));
  for (const [, l, i] of all.slice(0, remove)) masks[l]![i] = 0;
  return masks;
}
