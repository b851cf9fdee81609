/**
 * Eigenbasis low-rank replacement of one conv2d / dense layer — the partial Tucker-2 step of
 * EigenDamage (Wang et al. 2019, arXiv 1905.05934; SEED_PIPELINE.md step 2.7). With orthogonal
 * Kronecker-factor eigenbases Q_A (inputs) and Q_G (outputs), every kernel tap W_t (c_out × c_in)
 * is rotated to W′_t = Q_Gᵀ W_t Q_A and truncated to the kept rows/columns:
 *   W_t ≈ Q_G[:, keepG] · W′_t[keepG, keepA] · Q_A[:, keepA]ᵀ.
 * The layer becomes three layers, named as bench/factorize.ts does:
 *   `${name}.basis_in`  1×1, c_in → r_A, weight Q_A[:, keepA] (the Q_Aᵀ side), no bias;
 *   `${name}.core`      k×k, r_A → r_G, original stride / padding, weight W′[keepG, keepA];
 *   `${name}`           1×1, r_G → c_out, weight Q_G[:, keepG], the original bias —
 * so the original node name stays the output and consumers (a BN that folds into it) are
 * unchanged. Dense layers become three dense layers likewise. For a dense layer with bias, Q_A may
 * also be (in+1)×(in+1) (K-FAC's bias column): then the bias is part of W, and enters as
 * `${name}.basis_in`'s bias (Q_A's last row); the last layer then has none.
 * Zero padding commutes with the 1×1 basis (it maps zeros to zeros), so full rank is exact.
 */
import type { Graph, GraphNode, NodeSpec, TensorData, Weights } from '../../graph/ir';
import { checkWeights } from '../../graph/network';
import { inferShapes } from '../../graph/shapes';
import type { PrunedNetwork } from './prune-channels';

type ConvSpec = Extract<NodeSpec, { op: 'conv2d' }>;
type DenseSpec = Extract<NodeSpec, { op: 'dense' }>;

/** A layer seen as taps of c_out × c_in matrices (dense: one tap; bias column if augmented). */
interface LayerMatrices {
  node: GraphNode & { spec: ConvSpec | DenseSpec };
  taps: number;
  cOut: number;
  /** Columns of W: c_in, or in + 1 when the bias is folded in as a column. */
  cIn: number;
  augmented: boolean;
  /** W_t[o][i] = at(t, o, i). */
  at: (t: number, o: number, i: number) => number;
}

function layerMatrices(graph: Graph, weights: Weights, layer: string, dimA: number): LayerMatrices {
  const node = graph.nodes.find((n) => n.name === layer);
  if (!node) throw new Error(`factorizeLayer: no node '${layer}'`);
  const s = node.spec;
  if (s.op !== 'conv2d' && s.op !== 'dense')
    throw new Error(`factorizeLayer: '${layer}' is ${s.op}, not conv2d or dense`);
  const w = weights.get(`${layer}.weight`)?.data;
  if (!w) throw new Error(`factorizeLayer: weights lack '${layer}.weight'`);
  const n = node as LayerMatrices['node'];
  if (s.op === 'conv2d') {
    const { inChannels: ci, outChannels: co } = s;
    const at = (t: number, o: number, i: number) => w[(t * ci + i) * co + o]!;
    return { node: n, taps: s.kernel * s.kernel, cOut: co, cIn: ci, augmented: false, at };
  }
  const { inFeatures: fi, outFeatures: fo } = s;
  const augmented = s.bias && dimA === fi + 1;
  const b = augmented ? weights.get(`${layer}.bias`)?.data : undefined;
  if (augmented && !b) throw new Error(`factorizeLayer: weights lack '${layer}.bias'`);
  const at = (_t: number, o: number, i: number) => (i === fi ? b![o]! : w[i * fo + o]!);
  return { node: n, taps: 1, cOut: fo, cIn: augmented ? fi + 1 : fi, augmented, at };
}

/** Fails unless q is a finite n×n matrix with qᵀ(q v) ≈ v for a fixed probe v. */
function checkOrthogonal(q: Float64Array, n: number, what: string): void {
  if (q.length !== n * n)
    throw new Error(`factorizeLayer: ${what} must be ${n}×${n} (${n * n} values), got ${q.length}`);
  if (!q.every(Number.isFinite)) throw new Error(`factorizeLayer: ${what} has non-finite values`);
  const v = Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3));
  const qv = new Float64Array(n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) qv[r] = qv[r]! + q[r * n + c]! * v[c]!;
  let err = 0;
  let norm = 0;
  for (let c = 0; c < n; c++) {
    let back = 0;
    for (let r = 0; r < n; r++) back += q[r * n + c]! * qv[r]!;
    err += (back - v[c]!) ** 2;
    norm += v[c]! ** 2;
  }
  if (!(Math.sqrt(err / norm) < 1e-5))
    throw new Error(
      `factorizeLayer: ${what} is not orthogonal (‖QᵀQv − v‖/‖v‖ = ${Math.sqrt(err / norm)})`,
    );
}

function checkKeep(keep: readonly number[], n: number, what: string): void {
  const bad = keep.find((v) => !Number.isInteger(v) || v < 0 || v >= n);
  if (bad !== undefined) throw new Error(`factorizeLayer: ${what} index ${bad} not in 0…${n - 1}`);
  if (keep.length === 0) throw new Error(`factorizeLayer: ${what} is empty`);
  if (new Set(keep).size !== keep.length)
    throw new Error(`factorizeLayer: ${what} repeats an index`);
}

/**
 * W′[t][l][k] = (Q_Gᵀ W_t Q_A)[keepG[l], keepA[k]] as a Float64Array [taps, r_G, r_A] (row-major
 * qA: c_in×c_in, qG: c_out×c_out). Also the saliency input of the eigen analysis.
 */
export function eigenbasisWeights(
  graph: Graph,
  weights: Weights,
  layer: string,
  qA: Float64Array,
  qG: Float64Array,
  keepA: readonly number[],
  keepG: readonly number[],
): Float64Array {
  const dimA = Math.round(Math.sqrt(qA.length));
  const m = layerMatrices(graph, weights, layer, dimA);
  checkOrthogonal(qA, m.cIn, `qA of '${layer}'`);
  checkOrthogonal(qG, m.cOut, `qG of '${layer}'`);
  checkKeep(keepA, m.cIn, 'keepA');
  checkKeep(keepG, m.cOut, 'keepG');
  const rA = keepA.length;
  const rG = keepG.length;
  const out = new Float64Array(m.taps * rG * rA);
  const wq = new Float64Array(m.cOut * rA); // W_t Q_A[:, keepA]  (c_out × r_A)
  for (let t = 0; t < m.taps; t++) {
    wq.fill(0);
    for (let o = 0; o < m.cOut; o++) {
      for (let i = 0; i < m.cIn; i++) {
        const w = m.at(t, o, i);
        if (w === 0) continue;
        for (let k = 0; k < rA; k++) {
          const j = o * rA + k;
          wq[j] = wq[j]! + w * qA[i * m.cIn + keepA[k]!]!;
        }
      }
    }
    for (let l = 0; l < rG; l++) {
      for (let o = 0; o < m.cOut; o++) {
        const g = qG[o * m.cOut + keepG[l]!]!;
        for (let k = 0; k < rA; k++) {
          const j = (t * rG + l) * rA + k;
          out[j] = out[j]! + g * wq[o * rA + k]!;
        }
      }
    }
  }
  return out;
}

function tensor(shape: number[], f: (k: number) => number): TensorData {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, k) => f(k)) };
}

/** The three specs (basis_in, core, basis_out). */
function specs(m: LayerMatrices, rA: number, rG: number): [NodeSpec, NodeSpec, NodeSpec] {
  const s = m.node.spec;
  if (s.op === 'dense') {
    const fc = (i: number, o: number, bias: boolean): DenseSpec => ({
      ...s,
      inFeatures: i,
      outFeatures: o,
      bias,
    });
    return [
      fc(s.inFeatures, rA, m.augmented),
      fc(rA, rG, false),
      fc(rG, s.outFeatures, s.bias && !m.augmented),
    ];
  }
  const pw = (i: number, o: number, bias: boolean): ConvSpec => ({
    ...s,
    inChannels: i,
    outChannels: o,
    kernel: 1,
    stride: 1,
    padding: 'valid',
    bias,
  });
  return [
    pw(s.inChannels, rA, false),
    { ...s, inChannels: rA, outChannels: rG, bias: false },
    pw(rG, s.outChannels, s.bias),
  ];
}

/** Weights of the three layers in tfjs layouts. */
function tripleWeights(
  m: LayerMatrices,
  core: Float64Array,
  qA: Float64Array,
  qG: Float64Array,
  keepA: readonly number[],
  keepG: readonly number[],
): TensorData[] {
  const rA = keepA.length;
  const rG = keepG.length;
  const dense = m.node.spec.op === 'dense';
  const cInW = m.augmented ? m.cIn - 1 : m.cIn; // rows of basis_in's weight
  const lead = (...d: number[]) => (dense ? d : [1, 1, ...d]);
  const k = dense ? 1 : (m.node.spec as ConvSpec).kernel;
  const basisIn = tensor(lead(cInW, rA), (x) => qA[Math.floor(x / rA) * m.cIn + keepA[x % rA]!]!);
  // core tfjs [kh, kw, r_A, r_G] (dense [r_A, r_G]) from W′ [taps, r_G, r_A]
  const coreShape = dense ? [rA, rG] : [k, k, rA, rG];
  const coreW = tensor(coreShape, (x) => {
    const l = x % rG;
    const ka = Math.floor(x / rG) % rA;
    const t = Math.floor(x / (rG * rA));
    return core[(t * rG + l) * rA + ka]!;
  });
  const basisOut = tensor(
    lead(rG, m.cOut),
    (x) => qG[(x % m.cOut) * m.cOut + keepG[Math.floor(x / m.cOut)]!]!,
  );
  const out = [basisIn, coreW, basisOut];
  if (m.augmented) out.push(tensor([rA], (x) => qA[(m.cIn - 1) * m.cIn + keepA[x]!]!));
  return out;
}

/**
 * `graph` with `layer` replaced by its Tucker-2 factorization in the eigenbases qA / qG (see the
 * file header), keeping the eigen-directions keepA (input) and keepG (output). Inputs are not
 * modified; other tensors are shared.
 */
export function factorizeLayer(
  graph: Graph,
  weights: Weights,
  layer: string,
  qA: Float64Array,
  qG: Float64Array,
  keepA: readonly number[],
  keepG: readonly number[],
): PrunedNetwork {
  checkWeights(graph, weights);
  const core = eigenbasisWeights(graph, weights, layer, qA, qG, keepA, keepG);
  const m = layerMatrices(graph, weights, layer, Math.round(Math.sqrt(qA.length)));
  const [inName, coreName] = [`${layer}.basis_in`, `${layer}.core`];
  for (const name of [inName, coreName])
    if (graph.nodes.some((n) => n.name === name))
      throw new Error(`factorizeLayer: node '${name}' already exists`);
  const [sIn, sCore, sOut] = specs(m, keepA.length, keepG.length);
  const nodes = graph.nodes.flatMap((n): GraphNode[] =>
    n.name !== layer
      ? [n]
      : [
          { name: inName, inputs: [...n.inputs], spec: sIn },
          { name: coreName, inputs: [inName], spec: sCore },
          { name: layer, inputs: [coreName], spec: sOut },
        ],
  );
  const [wIn, wCore, wOut, bIn] = tripleWeights(m, core, qA, qG, keepA, keepG);
  const out: Weights = new Map(weights);
  if (m.augmented) out.delete(`${layer}.bias`);
  out.set(`${inName}.weight`, wIn!).set(`${coreName}.weight`, wCore!).set(`${layer}.weight`, wOut!);
  if (bIn) out.set(`${inName}.bias`, bIn);
  const g: Graph = { ...graph, nodes };
  inferShapes(g);
  checkWeights(g, out);
  return { graph: g, weights: out };
}
