/**
 * How quantization-aware training (qat.ts) fake-quantizes parameters, per recipe.quantMethod and
 * recipe.weightGranularity — the exponents quantize-weights.ts would choose for the same values:
 * - 'sigmamax' (per tensor or per output channel): the binary point is recomputed on the device
 *   from the tensor's (channel's) mean and std in every forward (fake-quant.ts
 *   fakeQuantSteSigmaMax; per channel the channel-last weight is seen as [−1, C], a depthwise
 *   [kh, kw, C, 1] as C channels, and a bias or BN vector [C] gives every value its own exponent).
 *   Cheap, no download, and the exponents follow the weights exactly.
 * - 'mse' (least squared error, Banner et al. 2019 restricted to powers of two; exponents.ts):
 *   the search over 33 candidate binary points per channel is a CPU job, so the exponents are
 *   computed on the CPU from the current weights and HELD between refreshes (a straight-through
 *   estimator with fixed exponents, as in Jacob et al. 2018 where ranges are updated
 *   periodically): the first training forward refreshes, then every `refreshEvery` training
 *   forwards; and an eval forward after any training forward refreshes first, so the eval forward
 *   always runs the exponents quantizeNetwork would deploy for the current weights.
 * Unfolded batch norms: training quantizes γ and β as parameters; the eval forward quantizes the
 * deployed affine scale s = γ/sqrt(σ²+ε) and then the shift t = β − μ·s_q (`affine`), with the
 * same exponent rule (held exponents computed from affine-batchnorm.ts's float32 arithmetic,
 * which the device reproduces on cpu / wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { affineParams, affineShift } from '../../graph/affine-batchnorm';
import type { GraphNode } from '../../graph/ir';
import type { Network } from '../../graph/network';
import type { Recipe } from '../../recipe';
import { channelBinaryPoints, chooseBinaryPoint, quantizeChannels } from './exponents';
import { fakeQuantSte, fakeQuantSteChannels, fakeQuantSteSigmaMax } from './fake-quant';
import { foldedValues } from './qat-folded';
import { weightLambda } from './layer-bits';
import { outChannelsOf } from './quantize-weights';

/** Training forwards between two refreshes of held (MSE) exponents, by default. */
export const DEFAULT_REFRESH_EVERY = 100;

export interface QatWeightQuant {
  /** 'device': SigmaMax recomputed every forward; 'held': MSE exponents refreshed on the CPU. */
  readonly exponents: 'device' | 'held';
  /** Training forward: a quantized parameter (layer weight / bias, unfolded BN γ / β). */
  param(name: string, t: tf.Tensor): tf.Tensor;
  /** Eval forward: an unfolded BN's affine scale (`${bn}.weight`) or shift (`${bn}.bias`). */
  affine(name: string, t: tf.Tensor): tf.Tensor;
  /** Called at every training forward (counts towards the next refresh). */
  beforeTrainForward(): void;
  /** Called at every eval forward (refreshes held exponents if a training forward came since). */
  beforeEvalForward(): void;
  /** Recomputes held exponents from the current weights now (no-op for 'device'). */
  refresh(): void;
}

/** One exponent (array of 1) or one per channel, by the recipe's rule, for `data`. */
type Chooser = (data: Float32Array, bits: number, channels: number | undefined) => number[];

function chooser(recipe: Recipe): Chooser {
  const lambda = weightLambda(recipe);
  const method = recipe.quantMethod ?? 'sigmamax';
  return (data, bits, channels) => {
    const c = { bits, lambda, method };
    return channels === undefined
      ? [chooseBinaryPoint(data, c)]
      : channelBinaryPoints(data, channels, c);
  };
}

const withHeld = (t: tf.Tensor, bits: number, bps: number[], perChannel: boolean) =>
  perChannel ? fakeQuantSteChannels(t, bits, bps) : fakeQuantSte(t, bits, bps[0]!);

/**
 * `bits`: parameter name → bits (qat.ts qatParamBits); `bns`: unfolded, quantized BN name → eps.
 * `refreshEvery` applies to 'mse' only. `folds` (frozen BN, qat-folded.ts): conv → BN folded into
 * it; held exponents of those convs' weights and biases come from the folded values.
 */
export function qatWeightQuant(
  net: Network,
  recipe: Recipe,
  bits: ReadonlyMap<string, number>,
  bns: ReadonlyMap<string, number>,
  refreshEvery = DEFAULT_REFRESH_EVERY,
  folds?: ReadonlyMap<string, GraphNode>,
): QatWeightQuant {
  if (!Number.isInteger(refreshEvery) || refreshEvery < 1)
    throw new Error(`QAT refreshEvery must be an integer ≥ 1, got ${refreshEvery}`);
  const perChannel = recipe.weightGranularity === 'channel';
  const nodeOf = new Map<string, GraphNode>();
  for (const n of net.graph.nodes) nodeOf.set(n.name, n);
  const channelsOf = (name: string): number | undefined => {
    if (!perChannel) return undefined;
    const node = nodeOf.get(name.slice(0, name.lastIndexOf('.')));
    if (!node) throw new Error(`QAT: parameter '${name}' belongs to no node of the graph`);
    return outChannelsOf(node);
  };
  const bitsOf = (name: string): number => {
    const b = bits.get(name);
    if (b === undefined) throw new Error(`QAT: '${name}' is not a quantized parameter`);
    return b;
  };
  if ((recipe.quantMethod ?? 'sigmamax') === 'sigmamax') {
    const lambda = weightLambda(recipe);
    const q = (name: string, t: tf.Tensor) =>
      fakeQuantSteSigmaMax(t, bitsOf(name), lambda, channelsOf(name));
    const nothing = () => undefined;
    return {
      exponents: 'device',
      param: q,
      affine: q,
      beforeTrainForward: nothing,
      beforeEvalForward: nothing,
      refresh: nothing,
    };
  }
  const choose = chooser(recipe);
  const held = new Map<string, number[]>();
  const heldAffine = new Map<string, number[]>();
  let sinceRefresh = Infinity;
  let trainedSinceRefresh = true;
  const read = (name: string) => net.getTensor(name).dataSync() as Float32Array;
  const refresh = () => {
    const folded = folds ? foldedValues(net, folds) : new Map<string, Float32Array>();
    for (const name of bits.keys())
      held.set(name, choose(folded.get(name) ?? read(name), bitsOf(name), channelsOf(name)));
    for (const [bn, eps] of bns) {
      const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map(
        (k) => read(`${bn}.${k}`),
      ) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const { scale } = affineParams(gamma, beta, mean, variance, eps);
      const [sName, tName] = [`${bn}.weight`, `${bn}.bias`];
      const sBps = choose(scale, bitsOf(sName), channelsOf(sName));
      const scaleQ = quantizeChannels(scale, bitsOf(sName), sBps); // one bp: all values
      heldAffine.set(sName, sBps);
      heldAffine.set(
        tName,
        choose(affineShift(beta, mean, scaleQ), bitsOf(tName), channelsOf(tName)),
      );
    }
    sinceRefresh = 0;
    trainedSinceRefresh = false;
  };
  const get = (m: Map<string, number[]>, name: string) => {
    const bps = m.get(name);
    if (!bps) throw new Error(`QAT: no held exponents for '${name}' (call refresh first)`);
    return bps;
  };
  return {
    exponents: 'held',
    param: (name, t) => withHeld(t, bitsOf(name), get(held, name), perChannel),
    affine: (name, t) => withHeld(t, bitsOf(name), get(heldAffine, name), perChannel),
    beforeTrainForward() {
      if (sinceRefresh >= refreshEvery) refresh();
      sinceRefresh++;
      trainedSinceRefresh = true;
    },
    beforeEvalForward() {
      if (trainedSinceRefresh) refresh();
    },
    refresh,
  };
}
