/**
 * Post-training SigmaMax quantization of a Network (the seed's pipeline step 4): fold BN into
 * the preceding convs (graph/inference-graph.ts, recipe.foldBN, default true), quantize the
 * weights once (quantize-weights.ts; every batch norm left in the graph becomes its per-channel
 * affine scale and shift — what the score counts and a compressed checkpoint stores), then
 * calibrate the activation quantizers on training batches with those weights (calibrate.ts).
 * The result is an eval-only model that runs the quantized weights and fake-quantizes the input
 * of every layer whose activation bits are < 32, so train/evaluate.ts (Predictor) and
 * train/early-exit.ts (EarlyExitModel) can evaluate it.
 * Residual sums and other non-layer ops are not quantized.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardResult } from '../../graph/forward';
import { inferenceGraph } from '../../graph/inference-graph';
import type { Graph, GraphNode, Weights } from '../../graph/ir';
import { roundToFloat16 } from '../../io/float16';
import { Network } from '../../graph/network';
import type { Recipe } from '../../recipe';
import { own } from '../../score/resolve';
import { calibrateActivations, type ActivationQuant } from './calibrate';
import { sourceBatches, type SourceCalibration } from './calibration-batches';
import { fakeQuant } from './fake-quant';
import { checkLayerBitsNames, DEFAULT_CALIBRATION_BATCHES, quantizedInputs } from './layer-bits';
import { quantizeWeights, type TensorQuant } from './quantize-weights';

/** Calibration data: input batches x [N,H,W,C] (caller-owned) or a training BatchSource. */
export type CalibrationInput = Iterable<tf.Tensor4D> | SourceCalibration;

export type InputHook = (node: GraphNode, inputs: tf.Tensor[]) => tf.Tensor[];

export interface QuantizedModel {
  /** The graph it runs (BN folded unless recipe.foldBN is false). */
  readonly graph: Graph;
  /** Its weights: quantized where the recipe says, otherwise float (BN folded in). */
  readonly weights: Weights;
  /** Parameter name → { bits, bp } of every quantized parameter. */
  readonly weightQuant: Record<string, TensorQuant>;
  /** Layer name → quantizer of the activation entering it, for layers with bits < 32. */
  readonly activationQuant: Record<string, ActivationQuant>;
  /** The forward input hook that fake-quantizes layer inputs (compose it to observe them). */
  readonly inputHook: InputHook;
  /** Eval-mode forward: main output and extra outputs (e.g. an early exit); caller disposes. */
  forward(x: tf.Tensor4D, opts: { training: false }): ForwardResult;
  /** Eval-mode logits [N, numClasses]; the caller disposes them. */
  predict(x: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

/** Fake-quantizes the input of each layer named in `quant` (layers have one input). */
export function activationHook(quant: Record<string, ActivationLevels>): InputHook {
  return (node, inputs) => {
    const q = own(quant, node.name);
    if (!q) return inputs;
    return inputs.map((t) => fakeQuant(t, q.bits, q.bp, q.zeroPoint));
  };
}

/** What an activation quantizer needs to run: width, binary point, optional zero point. */
export type ActivationLevels = TensorQuant & { zeroPoint?: number };

function calibrationBatches(
  graph: Graph,
  recipe: Recipe,
  c: CalibrationInput | undefined,
): Iterable<tf.Tensor4D> {
  if (c === undefined) {
    const first = [...quantizedInputs(graph, recipe).keys()][0];
    throw new Error(
      `quantizeNetwork: activations are quantized (e.g. the input of '${first}') but no calibration batches were given`,
    );
  }
  if (Symbol.iterator in c) return c;
  return sourceBatches(c, recipe.calibrationBatches ?? DEFAULT_CALIBRATION_BATCHES);
}

/** The eval-only forward / predict of a network read through an input hook. */
export interface HookedRunner {
  readonly graph: Graph;
  forward(x: tf.Tensor4D, opts: { training: false }): ForwardResult;
  predict(x: tf.Tensor4D): tf.Tensor;
}

/**
 * `net` run in eval mode with `inputHook` on every layer's inputs (the activation quantizers):
 * what a quantized model, a compressed checkpoint and an imported .mnlc all run. `what` names it
 * in the error a training-mode call gets.
 */
export function hookedRunner(net: Network, inputHook: InputHook, what: string): HookedRunner {
  const forward = (x: tf.Tensor4D, opts: { training: false }): ForwardResult => {
    if (opts.training !== false)
      throw new Error(`${what} is eval-only: forward needs training false, got ${opts.training}`);
    return net.forward(x, { training: false, inputHook });
  };
  return {
    graph: net.graph,
    forward,
    predict(x) {
      const { output, extra } = forward(x, { training: false });
      for (const t of Object.values(extra)) if (t !== output) t.dispose();
      return output;
    },
  };
}

function makeModel(
  net: Network,
  weights: Weights,
  weightQuant: Record<string, TensorQuant>,
  activationQuant: Record<string, ActivationQuant>,
): QuantizedModel {
  const inputHook = activationHook(activationQuant);
  return {
    ...hookedRunner(net, inputHook, 'a quantized model'),
    weights,
    weightQuant,
    activationQuant,
    inputHook,
    dispose: () => net.dispose(),
  };
}

export interface QuantizeOptions {
  /**
   * Round every parameter left unquantized to float16 (before calibration): what the 16-bit
   * freebie counts and a compressed checkpoint then stores (compressNetwork sets it).
   */
  halfFloats?: boolean;
}

/** `weights` with every entry not in `quant` rounded to float16 (new arrays for those). */
export function halfFloatWeights(weights: Weights, quant: Record<string, TensorQuant>): Weights {
  const out: Weights = new Map();
  for (const [name, t] of weights) {
    out.set(name, own(quant, name) ? t : { shape: [...t.shape], data: roundToFloat16(t.data) });
  }
  return out;
}

/**
 * Quantizes `net` per `recipe` (weights: bits / lambda / foldBN; activations: activationBits /
 * layerBits, activationLambda, calibrationBatches). `calibration` may be left out when no
 * activation is quantized. `net` is only read; the model owns its own tensors (dispose() it).
 */
export async function quantizeNetwork(
  net: Network,
  recipe: Recipe,
  calibration?: CalibrationInput,
  o: QuantizeOptions = {},
): Promise<QuantizedModel> {
  checkLayerBitsNames(net.graph, recipe);
  const float = await net.toWeightsAsync();
  const folded =
    (recipe.foldBN ?? true)
      ? inferenceGraph(net.graph, float)
      : { graph: net.graph, weights: float };
  const base = quantizeWeights(folded.graph, folded.weights, recipe); // BN left: affine
  const weightQuant = base.weightQuant;
  const weights = o.halfFloats ? halfFloatWeights(base.weights, weightQuant) : base.weights;
  const qnet = Network.fromWeights(base.graph, weights);
  try {
    const needsData = quantizedInputs(base.graph, recipe).size > 0;
    const activationQuant = needsData
      ? await calibrateActivations({
          graph: base.graph,
          params: qnet.lookup(),
          batches: calibrationBatches(base.graph, recipe, calibration),
          recipe,
        })
      : {};
    return makeModel(qnet, weights, weightQuant, activationQuant);
  } catch (e) {
    qnet.dispose();
    throw e;
  }
}
