/**
 * Mean softmax cross-entropy that tfjs can differentiate twice. The value is train/loss.ts's
 * softmaxCrossEntropy (no label smoothing); the gradient is written out, ∂L/∂z = (softmax(z) −
 * onehot(y)) / N, from the saved logits, so an outer gradient differentiates it once more
 * (Hessian wrt the logits: (diag p − p pᵀ) / N per example). tf.logSoftmax cannot be used: it is a
 * customGrad whose saved output is computed off the tape, so its gradient has no gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../../train/loss';

/** logits [N, K], labels [N] (int32) → mean cross-entropy (scalar), twice differentiable. */
export function crossEntropyForHessian(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  if (logits.rank !== 2)
    throw new Error(`crossEntropyForHessian: logits must be [N, K], got [${logits.shape}]`);
  const [n, k] = logits.shape as [number, number];
  const oneHot = tf.tidy(() => tf.oneHot(tf.cast(labels, 'int32'), k)); // [N, K], constant
  const op = tf.customGrad((...args: unknown[]) => {
    const [z, q, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([z, q]);
    return {
      value: softmaxCrossEntropy(z, labels),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, qs] = saved as [tf.Tensor, tf.Tensor];
        const dz = tf.mul(tf.sub(tf.softmax(zs), qs), tf.div(dy, n)); // [N, K]
        return [dz, tf.zerosLike(qs)];
      },
    };
  });
  const loss = op(logits, oneHot) as tf.Scalar;
  oneHot.dispose();
  return loss;
}
