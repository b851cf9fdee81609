/**
 * Softmax cross-entropy with optional label smoothing (Szegedy et al. 2016), PyTorch's
 * CrossEntropyLoss(label_smoothing=ε): target q = (1 − ε)·onehot(y) + ε/K, loss = −Σ_k q_k·log p_k,
 * averaged over the batch. log p = logSoftmax(z) = z − max z − log Σ exp(z − max z) (stable).
 */
import * as tf from '@tensorflow/tfjs-core';

/** logits [N, K], labels [N] int32 → mean loss (scalar). Differentiable wrt logits. */
export function softmaxCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  smoothing = 0,
): tf.Scalar {
  if (logits.rank !== 2)
    throw new Error(`cross-entropy: logits must be [N, K], got [${logits.shape}]`);
  const [n, k] = logits.shape as [number, number];
  if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new Error(`cross-entropy: labels must be [${n}], got [${labels.shape}]`);
  }
  if (!(smoothing >= 0 && smoothing < 1))
    throw new Error(`cross-entropy: smoothing must be in [0, 1), got ${smoothing}`);
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits); // [N, K]
    const onHot = tf.oneHot(tf.cast(labels, 'int32'), k); // [N, K]
    const nll = tf.neg(tf.sum(tf.mul(onHot, logP), 1)); // [N]
    if (smoothing === 0) return tf.mean(nll) as tf.Scalar;
    const uniform = tf.neg(tf.mean(logP, 1)); // [N]: −(1/K)·Σ_k log p_k
    return tf.mean(tf.add(tf.mul(nll, 1 - smoothing), tf.mul(uniform, smoothing))) as tf.Scalar;
  });
}
