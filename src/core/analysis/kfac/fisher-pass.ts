/**
 * One forward/backward pass for the Fisher's Kronecker factors (Martens & Grosse 2015): eval-mode
 * forward (BN running statistics, ShakeDrop as 1 − p) of the per-sample-summed cross-entropy
 * Σ_n CE(logits_n, y_n), capturing each target layer's input and ∂loss/∂(layer output). In eval
 * mode samples do not interact, so ∂loss/∂output_n is sample n's own gradient. Output gradients
 * are gradients w.r.t. zero tensors added to the layer's output where it is consumed (all
 * consumers, so fan-out sums correctly; the logits themselves when the layer is the output).
 * Also: labels drawn from the model's own softmax (the "true" Fisher). Needs the corrected
 * gradients of backend/second-order-gradients.ts (tfjs-backend-cpu's ResizeNearestNeighborGrad
 * mixes up samples for a batch > 1, e.g. OSI's upsample): registered before each pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerSecondOrderGradients } from '../../backend/second-order-gradients';
import { forward, type ParamLookup } from '../../graph/forward';
import type { Graph, GraphNode } from '../../graph/ir';
import type { ShapeMap } from '../../graph/shapes';
import { softmaxCrossEntropy } from '../../train/loss';
import type { Rng } from '../../util/rng';

export interface FisherCapture {
  /** Target name → its input [N, ...] (caller disposes). */
  inputs: Map<string, tf.Tensor>;
  /** Target name → ∂Σ_n ℓ_n/∂output, the output's shape (caller disposes). */
  grads: Map<string, tf.Tensor>;
}

/** Inputs of `targets` and the per-sample loss gradients w.r.t. their outputs on one batch. */
export function fisherPass(
  graph: Graph,
  params: ParamLookup,
  shapes: ShapeMap,
  targets: readonly string[],
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
): FisherCapture {
  registerSecondOrderGradients(); // idempotent
  const n = x.shape[0];
  const targetSet = new Set(targets);
  const inputs = new Map<string, tf.Tensor>();
  const deltas = targets.map((t) => tf.zeros([n, ...shapes.get(t)!]));
  try {
    const loss = (...ds: tf.Tensor[]): tf.Scalar => {
      const delta = new Map(targets.map((t, i) => [t, ds[i]!]));
      const inputHook = (node: GraphNode, ins: tf.Tensor[]): tf.Tensor[] => {
        if (targetSet.has(node.name)) {
          inputs.get(node.name)?.dispose();
          inputs.set(node.name, tf.keep(tf.clone(ins[0]!)));
        }
        return ins.map((t, i) => {
          const d = delta.get(node.inputs[i]!);
          return d ? tf.add(t, d) : t;
        });
      };
      const { output, extra } = forward(graph, params, x, { training: false, inputHook });
      for (const t of Object.values(extra)) if (t !== output) t.dispose();
      const d = delta.get(graph.output);
      const logits = d ? tf.add(output, d) : output;
      return tf.mul(softmaxCrossEntropy(logits, labels), n) as tf.Scalar;
    };
    const grads = tf.grads(loss)(deltas);
    return { inputs, grads: new Map(targets.map((t, i) => [t, grads[i]!])) };
  } catch (e) {
    for (const t of inputs.values()) t.dispose();
    throw e;
  } finally {
    tf.dispose(deltas);
  }
}

/** One label per row of probs [n × k] (row-major), drawn by inverse CDF with `rng`. */
export function sampleLabels(probs: ArrayLike<number>, k: number, rng: Rng): Int32Array {
  const n = probs.length / k;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let u = rng();
    let total = 0;
    for (let c = 0; c < k; c++) total += probs[r * k + c]!;
    u *= total; // probabilities summing to 1 ± float error
    let c = 0;
    for (; c < k - 1; c++) {
      u -= probs[r * k + c]!;
      if (u < 0) break;
    }
    out[r] = c;
  }
  return out;
}
