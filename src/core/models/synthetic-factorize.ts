/**
 * Synthetic factorized form of a network, for benchmarks: a structural stand-in with the layer
 * shapes the seed's eigenbasis pruning produces (EigenDamage partial Tucker-2,
 * SEED_PIPELINE.md step 2.7) — every conv becomes 1×1 (c_in → r) → k×k core (r → r, original
 * stride) → 1×1 (r → c_out), and every fc becomes fc (in → r) → fc (r → r) → fc (r → out),
 * r = max(1, ⌊min(in, out)/2⌋). PyramidNet-272 has 271 convs + 1 fc → 816 layers. Only the
 * structure is real (weights come from initWeights, not from an eigenbasis); the real
 * factorization is src/core/compress/structure. The last layer of each triple keeps the
 * original name and bias, so BN folding and activation ownership stay where they were.
 */
import type { Graph, GraphNode, NodeSpec } from '../graph/ir';

type Conv2dSpec = Extract<NodeSpec, { op: 'conv2d' }>;
type DenseSpec = Extract<NodeSpec, { op: 'dense' }>;

function pointwise(s: Conv2dSpec, inC: number, outC: number, bias: boolean): Conv2dSpec {
  return { ...s, inChannels: inC, outChannels: outC, kernel: 1, stride: 1, padding: 'valid', bias };
}

/** The three specs replacing a conv or fc layer (basis_in, core, basis_out). */
function triple(s: Conv2dSpec | DenseSpec): [NodeSpec, NodeSpec, NodeSpec] {
  if (s.op === 'dense') {
    const r = Math.max(1, Math.floor(Math.min(s.inFeatures, s.outFeatures) / 2));
    const fc = (i: number, o: number, bias: boolean): DenseSpec => ({
      ...s,
      inFeatures: i,
      outFeatures: o,
      bias,
    });
    return [fc(s.inFeatures, r, false), fc(r, r, false), fc(r, s.outFeatures, s.bias)];
  }
  const r = Math.max(1, Math.floor(Math.min(s.inChannels, s.outChannels) / 2));
  return [
    pointwise(s, s.inChannels, r, false),
    { ...s, inChannels: r, outChannels: r, bias: false },
    pointwise(s, r, s.outChannels, s.bias),
  ];
}

/** g with each conv2d / dense replaced by three (`.basis_in` → `.core` → original name). */
export function factorize(g: Graph): Graph {
  const nodes: GraphNode[] = [];
  for (const n of g.nodes) {
    const s = n.spec;
    if (s.op !== 'conv2d' && s.op !== 'dense') {
      nodes.push(n);
      continue;
    }
    const [a, b, c] = triple(s);
    nodes.push({ name: `${n.name}.basis_in`, inputs: n.inputs, spec: a });
    nodes.push({ name: `${n.name}.core`, inputs: [`${n.name}.basis_in`], spec: b });
    nodes.push({ name: n.name, inputs: [`${n.name}.core`], spec: c });
  }
  return { ...g, name: `${g.name}-factorized`, nodes };
}
