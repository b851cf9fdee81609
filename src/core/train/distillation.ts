/**
 * Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural
 * Network"): the student learns from the labels and from the teacher's softened outputs,
 *   loss = (1 − w)·CE(labels, s) + w·T²·KL(softmax(t/T) ‖ softmax(s/T)),
 *   KL(p ‖ q) = Σ_k p_k·(log p_k − log q_k),
 * averaged over the batch; s = student logits, t = teacher logits, T the temperature (T² keeps
 * the soft term's gradient on the scale of the hard one as T changes, §2), w the soft weight.
 * The teacher is a constant: no gradient reaches it (even if it was computed on a tape).
 * headLoss() is the trainer's loss for one head: CE, or the distillation loss when a teacher
 * output for that head exists.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import { softmaxCrossEntropy } from './loss';

function checkSettings(temperature: number, weight: number): void {
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new Error(`distillation: temperature must be a finite number > 0, got ${temperature}`);
  if (!(weight >= 0 && weight <= 1))
    throw new Error(`distillation: weight must be a number in [0, 1], got ${weight}`);
}

/** Identity whose gradient is 0: the teacher's logits are targets, not parameters. */
const constant = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const t = args[0] as tf.Tensor;
  return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * student, teacher: logits [N, K]; labels [N] int32 → the mean loss of the header (scalar).
 * `smoothing` is the label smoothing of the cross-entropy term (default 0).
 */
export function distillationLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  labels: tf.Tensor1D,
  temperature: number,
  weight: number,
  smoothing = 0,
): tf.Scalar {
  checkSettings(temperature, weight);
  if (
    student.rank !== 2 ||
    teacher.rank !== 2 ||
    student.shape.some((d, i) => d !== teacher.shape[i])
  )
    throw new Error(
      `distillation: student and teacher logits must both be [N, K], got [${student.shape}] and [${teacher.shape}]`,
    );
  return tf.tidy(() => {
    const parts: tf.Scalar[] = [];
    if (weight < 1) parts.push(tf.mul(softmaxCrossEntropy(student, labels, smoothing), 1 - weight));
    if (weight > 0) {
      const logQ = tf.logSoftmax(tf.div(student, temperature));
      const logP = tf.logSoftmax(tf.div(constant(teacher), temperature));
      const kl = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1); // [N]
      parts.push(tf.mul(tf.mean(kl), weight * temperature * temperature));
    }
    return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Scalar;
  });
}

export interface HeadLossSettings {
  labelSmoothing: number;
  /** Present when distilling: the teacher's logits for this head come with it. */
  distill?: { temperature: number; weight: number };
}

/** One head's loss: distillationLoss against `teacher` when given (and distilling), else CE. */
export function headLoss(
  logits: tf.Tensor,
  teacher: tf.Tensor | undefined,
  labels: tf.Tensor1D,
  s: HeadLossSettings,
): tf.Scalar {
  if (!s.distill || !teacher) return softmaxCrossEntropy(logits, labels, s.labelSmoothing);
  const { temperature, weight } = s.distill;
  return distillationLoss(
    logits as tf.Tensor2D,
    teacher as tf.Tensor2D,
    labels,
    temperature,
    weight,
    s.labelSmoothing,
  );
}
