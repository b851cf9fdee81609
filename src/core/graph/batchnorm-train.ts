/**
 * Training-mode batch norm (Ioffe & Szegedy 2015) as one op with its closed-form gradient, so a
 * training step runs ~10 large kernels per BN layer instead of the ~25 that autodiff of
 * mean/sub/rsqrt/mul/add records (on wasm the channel sums run as pooling:
 * backend/wasm-reduce-kernels.ts). With P = values per channel, x̂ = (x − μ)/σ, σ = √(var + ε):
 *
 *   forward:   μ = Σx/P,  var = Σ(x − μ)²/P (biased, two-pass),  y = x̂·γ + β
 *   backward:  dβ = Σdy,  dγ = Σ dy·x̂,  dx = (γ/σ) · (dy − dβ/P − x̂·dγ/P)
 *
 * First-order only: the gradient's own gradient is not the true second derivative (its saved x̂
 * is a constant to the tape). The second-order analyses run BN in eval mode, so none needs it.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Σ over all axes but the last → [C]. */
export function channelSum(x: tf.Tensor): tf.Tensor1D {
  return tf.sum(
    x,
    x.shape.slice(0, -1).map((_, i) => i),
  ) as tf.Tensor1D;
}

export interface FusedBnTrain {
  y: tf.Tensor;
  /** Batch mean [C]. */
  mean: tf.Tensor1D;
  /** Biased batch variance [C]. */
  variance: tf.Tensor1D;
}

/** y = BN_train(x; γ, β) with the closed-form gradient above; x [..., C], γ and β [C]. */
export function fusedBatchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
): FusedBnTrain {
  const c = x.shape[x.rank - 1]!;
  const p = x.size / c;
  // The op's value must be one tensor: the statistics leave through this box, kept past the
  // op's internal tidy and handed to the caller's scope right after (clone, then dispose).
  const box: { mean?: tf.Tensor1D; variance?: tf.Tensor1D } = {};
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const mean = tf.div(channelSum(xi), p) as tf.Tensor1D;
    const centered = tf.sub(xi, mean);
    const variance = tf.div(channelSum(tf.square(centered)), p) as tf.Tensor1D;
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xHat = tf.mul(centered, invStd);
    box.mean = tf.keep(mean);
    box.variance = tf.keep(variance);
    save([xHat, tf.mul(g, invStd)]);
    return {
      value: tf.add(tf.mul(xHat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, scale] = saved as [tf.Tensor, tf.Tensor];
        const dBeta = channelSum(dy);
        const dGamma = channelSum(tf.mul(dy, xh));
        const inner = tf.sub(tf.sub(dy, tf.mul(xh, tf.div(dGamma, p))), tf.div(dBeta, p));
        return [tf.mul(inner, scale), tf.reshape(dGamma, g.shape), tf.reshape(dBeta, b.shape)];
      },
    };
  });
  const y = op(x, gamma, beta);
  const mean = box.mean!.clone();
  const variance = box.variance!.clone();
  box.mean!.dispose();
  box.variance!.dispose();
  return { y, mean, variance };
}
