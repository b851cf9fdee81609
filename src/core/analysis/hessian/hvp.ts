/**
 * Hessian-vector products of a loss Σ_t w_t·L_t(θ) over tf.Variables θ, exactly by double
 * back-propagation (Pearlmutter 1994: Hv = ∇_θ(∇_θL · v), v held constant), and by central
 * finite differences of the gradient ((∇L(θ+εv) − ∇L(θ−εv)) / 2ε) as an independent check.
 * Terms (e.g. batches) are run one at a time and summed in float64 on the JS side, so memory
 * holds one term's double-backprop tape. Vectors are flat Float64Arrays (see vectors.ts).
 * Needs the gradients of backend/second-order-gradients.ts (imported here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerSecondOrderGradients } from '../../backend/second-order-gradients';
import { CancelledError, type CancelSignal } from '../../train/types';
import { concatFlat, layoutOf, toTensors, type VectorLayout } from './vectors';
import { yieldToEventLoop } from '../../util/yield';

/** One weighted part of the loss, e.g. a batch with weight (batch size / total). */
export interface LossTerm {
  weight: number;
  /** Builds L_t from the variables (runs under tf.variableGrads; must return a scalar). */
  loss: () => tf.Scalar;
}

export interface LossModel {
  /** The parameters θ (each a tf.Variable; all of them count, zeros included). */
  vars: tf.Variable[];
  terms: LossTerm[];
}

/** ∇L for one loss function, one tensor per variable (zeros where L does not depend on it). */
function gradTensors(loss: () => tf.Scalar, vars: tf.Variable[]): tf.Tensor[] {
  const { value, grads } = tf.variableGrads(loss, vars);
  value.dispose();
  return vars.map((x) => grads[x.name] ?? tf.zerosLike(x));
}

/** Hv for one loss function (double back-prop); v aligned with vars. Caller disposes. */
export function hvpTensors(
  loss: () => tf.Scalar,
  vars: tf.Variable[],
  v: tf.Tensor[],
): tf.Tensor[] {
  if (v.length !== vars.length)
    throw new Error(`hvp: ${v.length} vector parts for ${vars.length} variables`);
  registerSecondOrderGradients(); // idempotent; catches a wasm backend loaded after import
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const g = gradTensors(loss, vars);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i]!)))) as tf.Scalar;
    }, vars);
    value.dispose();
    return vars.map((x) => grads[x.name] ?? tf.zerosLike(x));
  });
}

function check(signal: CancelSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(`${what} cancelled`);
}

/** Σ_t w_t · f(term) in float64, where f gives one tensor per variable. */
async function sumOverTerms(
  model: LossModel,
  layout: VectorLayout,
  f: (term: LossTerm) => tf.Tensor[],
  signal: CancelSignal | undefined,
  what: string,
): Promise<Float64Array> {
  const out = new Float64Array(layout.n);
  for (const term of model.terms) {
    check(signal, what);
    const flat = tf.tidy(() => concatFlat(f(term)));
    const data = await flat.data();
    flat.dispose();
    for (let i = 0; i < out.length; i++) out[i]! += term.weight * data[i]!;
    await yieldToEventLoop(); // a worker answers its heartbeat and cancels between passes
  }
  return out;
}

export function modelLayout(model: LossModel): VectorLayout {
  return layoutOf(model.vars);
}

/** ∇L(θ) as a flat vector. */
export async function lossGradient(model: LossModel, signal?: CancelSignal): Promise<Float64Array> {
  const layout = modelLayout(model);
  return sumOverTerms(model, layout, (t) => gradTensors(t.loss, model.vars), signal, 'gradient');
}

/** L(θ) = Σ_t w_t·L_t. */
export async function lossValue(model: LossModel): Promise<number> {
  let s = 0;
  for (const term of model.terms) {
    const l = tf.tidy(term.loss);
    s += term.weight * (await l.data())[0]!;
    l.dispose();
  }
  return s;
}

/** Exact Hv by double back-propagation. */
export async function exactHvp(
  model: LossModel,
  v: ArrayLike<number>,
  signal?: CancelSignal,
): Promise<Float64Array> {
  const layout = modelLayout(model);
  const parts = toTensors(layout, v);
  try {
    return await sumOverTerms(
      model,
      layout,
      (t) => hvpTensors(t.loss, model.vars, parts),
      signal,
      'Hessian-vector product',
    );
  } finally {
    tf.dispose(parts);
  }
}

/** θ ← θ0 + s·v for every variable (θ0 = `base`). */
function assignShifted(vars: tf.Variable[], base: tf.Tensor[], parts: tf.Tensor[], s: number) {
  vars.forEach((x, i) => tf.tidy(() => x.assign(tf.add(base[i]!, tf.mul(parts[i]!, s)))));
}

/**
 * Finite-difference Hv from gradients only (no second-order code), the variables restored to
 * their exact values afterwards (also on errors):
 * - stencil 3 (central): (∇L(θ+εv) − ∇L(θ−εv)) / 2ε, error O(ε²);
 * - stencil 5 (Richardson-extrapolated central, = (4·D(ε/2) − D(ε))/3):
 *   (∇L(θ−ε v) − 8∇L(θ−ε/2 v) + 8∇L(θ+ε/2 v) − ∇L(θ+ε v)) / 6ε, error O(ε⁴), 4 gradients.
 * Both add float32 gradient noise of order ‖noise(∇L)‖/ε: ε trades truncation for noise.
 */
export async function finiteDifferenceHvp(
  model: LossModel,
  v: ArrayLike<number>,
  eps: number,
  o: { stencil?: 3 | 5; signal?: CancelSignal } = {},
): Promise<Float64Array> {
  if (!(eps > 0)) throw new Error(`finiteDifferenceHvp: eps must be > 0, got ${eps}`);
  const stencil = o.stencil ?? 3;
  const taps: [number, number][] =
    stencil === 3
      ? [
          [1, 1 / (2 * eps)],
          [-1, -1 / (2 * eps)],
        ]
      : [
          [1, -1 / (6 * eps)],
          [0.5, 8 / (6 * eps)],
          [-0.5, -8 / (6 * eps)],
          [-1, 1 / (6 * eps)],
        ];
  const layout = modelLayout(model);
  const parts = toTensors(layout, v);
  const base = model.vars.map((x) => tf.clone(x));
  try {
    const out = new Float64Array(layout.n);
    for (const [shift, coef] of taps) {
      assignShifted(model.vars, base, parts, shift * eps);
      const g = await lossGradient(model, o.signal);
      for (let i = 0; i < out.length; i++) out[i]! += coef * g[i]!;
    }
    return out;
  } finally {
    model.vars.forEach((x, i) => x.assign(base[i]!));
    tf.dispose([...parts, ...base]);
  }
}
