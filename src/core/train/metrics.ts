/**
 * Top-k accuracy counts from logits: an example is top-k correct when fewer than k classes have a
 * logit that is not ≤ its true class's logit (ties count in the example's favour, like a stable
 * top-k; a NaN logit counts against it, so a diverged model never scores).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * logits [N, K], labels [N] int32 → int32 [N]: how many classes rank above the true class
 * (0 = top-1 correct).
 */
export function rankOfTrueClass(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  if (logits.rank !== 2) throw new Error(`top-k: logits must be [N, K], got [${logits.shape}]`);
  const [n, k] = logits.shape as [number, number];
  if (labels.rank !== 1 || labels.shape[0] !== n)
    throw new Error(`top-k: labels must be [${n}], got [${labels.shape}]`);
  return tf.tidy(() => {
    const onHot = tf.oneHot(tf.cast(labels, 'int32'), k); // [N, K]
    const trueLogit = tf.sum(tf.mul(logits, onHot), 1, true); // [N, 1]
    const above = tf.logicalNot(tf.lessEqual(logits, trueLogit)); // [N, K]
    return tf.sum(tf.cast(above, 'int32'), 1) as tf.Tensor1D;
  });
}

/** Counts of top-1 and top-5 correct examples as an int32 tensor [2] (stays on the device). */
export function topKCountsTensor(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const rank = rankOfTrueClass(logits, labels);
    const top1 = tf.sum(tf.cast(tf.less(rank, 1), 'int32'));
    const top5 = tf.sum(tf.cast(tf.less(rank, 5), 'int32'));
    return tf.stack([top1, top5]) as tf.Tensor1D;
  });
}

/** Top-1 / top-5 correct counts (downloads two numbers). */
export async function topKCounts(
  logits: tf.Tensor,
  labels: tf.Tensor,
): Promise<{ top1: number; top5: number }> {
  const t = topKCountsTensor(logits, labels);
  try {
    const [top1, top5] = await t.data();
    return { top1: top1!, top5: top5! };
  } finally {
    t.dispose();
  }
}
