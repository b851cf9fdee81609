/**
 * K-FAC / EKFAC eigen analysis of a network, step 2 of the seed (EigenDamage, Wang et al. 2019,
 * arXiv 1905.05934; K-FAC: Martens & Grosse 2015; EKFAC: George et al. 2018):
 * 1. factors A (SUA input patches) and G (output gradients) per conv2d/dense layer over `batches`
 *    training batches, labels sampled from the model's own softmax, running average 0.9;
 * 2. damping π = (tr A/dim A)/(tr G/dim G), A += √(λπ)·I, G += √(λ/π)·I;
 * 3. A = Q_A Λ_A Q_Aᵀ, G = Q_G Λ_G Q_Gᵀ (descending);
 * 4. EKFAC: s = mean over samples of (Q_Gᵀ ∇W_n Q_A)² in a second pass (same batches and labels);
 * 5. saliency S = Σ_taps s ⊙ W′², W′ = Q_Gᵀ W Q_A; row / column sums.
 * The network runs in EVAL mode (BN running statistics): it is the Fisher of the function that is
 * deployed and pruned, samples stay independent so per-sample gradients are exact, and no running
 * statistics move. (The seed calls model.train(), so its BN uses batch statistics — and updates
 * its running statistics — during the pass.) Two passes: the eigenbasis must exist before the
 * EKFAC projection (the seed instead projects only its first batch, kept in memory). A batch
 * that one Fisher pass would not hold runs as micro-batches with exact accumulation (kfac-pass.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { inferShapes } from '../../graph/shapes';
import { deriveSeed, epochOrder } from '../../train/batching';
import { passMicroBatch } from '../../train/pass-memory';
import { makeRng } from '../../util/rng';
import { batchEkfacSums, batchFactorA, batchFactorG } from './batch-stats';
import { addDiagonal, dampingFor, DEFAULT_DAMPING, trace, type Damping } from './damping';
import { rotateTaps, saliencyOf, weightTaps } from './eigenbasis';
import { dimA as dimAOf } from './geometry';
import { KfacError } from './kfac-error';
import { planLayers, type KfacSkipped, type PlannedLayer } from './layer-plan';
import { KfacEta } from './kfac-eta';
import { checkCancel, pass, type Run } from './kfac-pass';
import { symmetricEigen, type SymEigen } from './sym-eigen';
import type { KfacLayer, KfacOptions, KfacResult } from './kfac-types';
import { yieldToEventLoop } from '../../util/yield';

const SEED_ORDER = 0x6b666163;

function checkOptions(o: KfacOptions): void {
  const posInt = (v: number | undefined, what: string, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      throw new KfacError(`${what} must be an integer ≥ ${min}, got ${v}`);
  };
  posInt(o.batches, 'batches', 1);
  posInt(o.batchSize, 'batchSize', 1);
  posInt(o.ekfacBatches, 'ekfacBatches', 1);
  if ((o.ekfacBatches ?? o.batches) > o.batches)
    throw new KfacError(`ekfacBatches (${o.ekfacBatches}) must not exceed batches (${o.batches})`);
  const ma = o.movingAverage ?? 0.9;
  if (!(ma >= 0 && ma < 1)) throw new KfacError(`movingAverage must be in [0, 1), got ${ma}`);
}

function batchIndices(o: KfacOptions): Uint32Array[] {
  const need = o.batches * o.batchSize;
  const order = o.indices
    ? Uint32Array.from(o.indices)
    : epochOrder(o.source.size, makeRng(deriveSeed(o.seed, SEED_ORDER)));
  if (order.length < need)
    throw new KfacError(
      `${o.batches} batches of ${o.batchSize} need ${need} examples, only ${order.length} given`,
    );
  for (const i of order.subarray(0, need))
    if (i >= o.source.size) throw new KfacError(`index ${i} outside [0, ${o.source.size})`);
  return Array.from({ length: o.batches }, (_, b) =>
    order.slice(b * o.batchSize, (b + 1) * o.batchSize),
  );
}

/** Running averages A, G over pass 1 (the first batch sets them). */
async function collectFactors(run: Run): Promise<{ A: Float64Array[]; G: Float64Array[] }> {
  const ma = run.o.movingAverage ?? 0.9;
  const A = run.layers.map((l) => new Float64Array(dimAOf(l.geo, run.useBias) ** 2));
  const G = run.layers.map((l) => new Float64Array(l.geo.outChannels ** 2));
  let batch = -1;
  await pass(
    run,
    run.o.batches,
    'factors',
    'mean',
    (l, input, grad) => {
      const a = batchFactorA(input, l.geo, run.useBias);
      const g = batchFactorG(grad, l.geo);
      return tf.concat([tf.reshape(a, [-1]), tf.reshape(g, [-1])]);
    },
    (i, v) => {
      if (i === 0) batch++;
      const w = batch === 0 ? 0 : ma;
      const a = A[i]!;
      const g = G[i]!;
      for (let j = 0; j < a.length; j++) a[j] = w * a[j]! + (1 - w) * v[j]!;
      for (let j = 0; j < g.length; j++) g[j] = w * g[j]! + (1 - w) * v[a.length + j]!;
    },
  );
  return { A, G };
}

interface Basis {
  damping: Damping;
  a: SymEigen;
  g: SymEigen;
}

/** Damped eigendecompositions; null (with a skip entry) where a factor has no signal. */
async function eigenBases(
  run: Run,
  A: Float64Array[],
  G: Float64Array[],
  skipped: KfacSkipped[],
): Promise<(Basis | null)[]> {
  const lambda = run.o.damping ?? DEFAULT_DAMPING;
  const out: (Basis | null)[] = [];
  for (let i = 0; i < run.layers.length; i++) {
    checkCancel(run.o.signal, 'eigendecomposition');
    const { name, geo } = run.layers[i]!;
    const start = performance.now();
    const nA = dimAOf(geo, run.useBias);
    const nG = geo.outChannels;
    const trA = trace(A[i]!, nA);
    const trG = trace(G[i]!, nG);
    if (!(trA > 0 && trG > 0)) {
      skipped.push({ name, op: geo.op, reason: `zero factor (tr A = ${trA}, tr G = ${trG})` });
      out.push(null);
    } else {
      const damping = dampingFor(trA, nA, trG, nG, lambda);
      const a = symmetricEigen(addDiagonal(A[i]!, nA, damping.a), nA);
      const g = symmetricEigen(addDiagonal(G[i]!, nG, damping.g), nG);
      out.push({ damping, a, g });
    }
    run.eta.eigenDone(nA ** 3 + nG ** 3, (performance.now() - start) / 1000);
    run.o.onProgress?.(run.eta.progress('eigen', i + 1, run.layers.length));
    await yieldToEventLoop();
  }
  return out;
}

/** EKFAC eigenvalues per layer: mean over pass-2 samples of the rotated squared gradients. */
async function ekfacEigenvalues(run: Run, bases: (Basis | null)[]): Promise<Float64Array[]> {
  const count = run.o.ekfacBatches ?? run.o.batches;
  const sizes = run.layers.map(
    (l) => l.geo.kernel ** 2 * l.geo.outChannels * dimAOf(l.geo, run.useBias),
  );
  const sums = sizes.map((n) => new Float64Array(n));
  const rot = bases.map((b, i) => {
    if (!b) return null;
    const nA = dimAOf(run.layers[i]!.geo, run.useBias);
    const nG = run.layers[i]!.geo.outChannels;
    return {
      qA: tf.tensor2d(Float32Array.from(b.a.vectors), [nA, nA], 'float32'),
      qG: tf.tensor2d(Float32Array.from(b.g.vectors), [nG, nG], 'float32'),
    };
  });
  try {
    await pass(
      run,
      count,
      'ekfac',
      'sum',
      (l, input, grad) => {
        const i = run.layers.indexOf(l);
        const r = rot[i];
        return r ? batchEkfacSums(input, grad, l.geo, run.useBias, r.qA, r.qG) : tf.zeros([0]);
      },
      (i, v) => {
        const s = sums[i]!;
        for (let j = 0; j < v.length; j++) s[j]! += v[j]!;
      },
    );
  } finally {
    for (const r of rot) if (r) tf.dispose([r.qA, r.qG]);
  }
  const samples = count * run.o.batchSize;
  return sums.map((s) => s.map((v) => v / samples));
}

async function layerResult(
  run: Run,
  l: PlannedLayer,
  basis: Basis,
  ekfac: Float64Array,
  factors: { A: Float64Array; G: Float64Array },
): Promise<KfacLayer> {
  const { geo } = l;
  const hasBias = run.useBias && geo.bias;
  const weight = run.o.net.getTensor(`${l.name}.weight`);
  const wData = { shape: weight.shape, data: (await weight.data()) as Float32Array };
  const bias = hasBias ? run.o.net.getTensor(`${l.name}.bias`) : null;
  const bData = bias ? { shape: bias.shape, data: (await bias.data()) as Float32Array } : undefined;
  const rotated = rotateTaps(weightTaps(wData, bData), basis.g.vectors, basis.a.vectors);
  const sal = saliencyOf(rotated, ekfac);
  return {
    name: l.name,
    op: geo.op,
    kernel: geo.kernel,
    inChannels: geo.inChannels,
    outChannels: geo.outChannels,
    hasBias,
    dimA: rotated.cols,
    dimG: rotated.rows,
    eigA: basis.a.values,
    eigG: basis.g.values,
    qA: basis.a.vectors,
    qG: basis.g.vectors,
    ...sal,
    damping: basis.damping,
    ...(run.o.keepFactors ? { factors: { ...factors, ekfac } } : {}),
  };
}

/** The analysis; see the file header. Plain data out; no tensors survive. */
export async function kfacAnalysis(o: KfacOptions): Promise<KfacResult> {
  checkOptions(o);
  const start = performance.now();
  const plan = planLayers(o.net.graph, inferShapes(o.net.graph), o.layers);
  const ekfacBatches = o.ekfacBatches ?? o.batches;
  const cubes = plan.layers.reduce(
    (s, l) => s + dimAOf(l.geo, o.useBias ?? true) ** 3 + l.geo.outChannels ** 3,
    0,
  );
  const run: Run = {
    o,
    layers: plan.layers,
    useBias: o.useBias ?? true,
    batches: batchIndices(o),
    labels: [],
    eta: new KfacEta(o.batches + ekfacBatches, cubes),
    microBatch: passMicroBatch(o.batchSize, o.net.graph, 'fisher', o),
  };
  const skipped = [...plan.skipped];
  const layers: KfacLayer[] = [];
  if (run.layers.length > 0) {
    const { A, G } = await collectFactors(run);
    const bases = await eigenBases(run, A, G, skipped);
    const ekfac = await ekfacEigenvalues(run, bases);
    for (let i = 0; i < run.layers.length; i++) {
      const basis = bases[i];
      if (basis)
        layers.push(
          await layerResult(run, run.layers[i]!, basis, ekfac[i]!, { A: A[i]!, G: G[i]! }),
        );
    }
  }
  return {
    layers,
    skipped,
    samples: o.batches * o.batchSize,
    ekfacSamples: ekfacBatches * o.batchSize,
    microBatch: run.microBatch,
    seconds: (performance.now() - start) / 1000,
  };
}
