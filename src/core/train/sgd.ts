/**
 * SGD with momentum and Nesterov momentum exactly as PyTorch's torch.optim.SGD defines them
 * (Sutskever et al. 2013 form), with L2 weight decay added to the gradient (not decoupled):
 *   g ← mask(name, ∇) + wd·p                       (wd = 0 for excluded parameters)
 *   b ← g on the first step, else b ← μ·b + (1 − dampening)·g
 *   d ← g + μ·b (Nesterov) or d ← b                (d ← g when μ = 0)
 *   p ← p − lr·d
 */
import * as tf from '@tensorflow/tfjs-core';

/** Which parameters get no weight decay. 'bn-and-bias' = every parameter of rank ≤ 1. */
export type DecayExclusion =
  'none' | 'bn-and-bias' | ((name: string, shape: readonly number[]) => boolean);

export interface SgdConfig {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Default 'none' (PyTorch decays everything). */
  excludeFromDecay?: DecayExclusion;
  /**
   * Applied to each raw gradient before weight decay (e.g. multiply by a sparsity mask). Runs
   * inside a tidy; return a new tensor or the given one.
   */
  maskFn?: (name: string, grad: tf.Tensor) => tf.Tensor;
}

export interface NamedParam {
  name: string;
  variable: tf.Variable;
}

function checkConfig(c: SgdConfig): void {
  const { momentum = 0, dampening = 0, weightDecay = 0 } = c;
  if (!(momentum >= 0)) throw new Error(`sgd: momentum must be ≥ 0, got ${momentum}`);
  if (!(weightDecay >= 0)) throw new Error(`sgd: weightDecay must be ≥ 0, got ${weightDecay}`);
  if (!(dampening >= 0 && dampening <= 1))
    throw new Error(`sgd: dampening must be in [0, 1], got ${dampening}`);
  if (c.nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new Error(
      `sgd: Nesterov needs momentum > 0 and dampening 0, got ${momentum} / ${dampening}`,
    );
  }
}

export class Sgd {
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(readonly config: SgdConfig = {}) {
    checkConfig(config);
  }

  private decays(p: NamedParam): boolean {
    const ex = this.config.excludeFromDecay ?? 'none';
    if (ex === 'none') return true;
    if (ex === 'bn-and-bias') return p.variable.rank > 1;
    return !ex(p.name, p.variable.shape);
  }

  /** One update of every parameter that has a gradient in `grads` (keyed by param name). */
  step(params: NamedParam[], grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr))
      throw new Error(`sgd: lr must be a finite number ≥ 0, got ${lr}`);
    for (const p of params) {
      const grad = grads.get(p.name);
      if (grad) this.update(p, grad, lr);
    }
  }

  private update(p: NamedParam, grad: tf.Tensor, lr: number): void {
    const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, maskFn } = this.config;
    tf.tidy(() => {
      let g = maskFn ? maskFn(p.name, grad) : grad;
      if (weightDecay > 0 && this.decays(p)) g = tf.add(g, tf.mul(p.variable, weightDecay));
      if (momentum > 0) {
        const buf = this.buffers.get(p.name);
        if (!buf) {
          this.buffers.set(p.name, tf.variable(g, false));
        } else {
          if (buf.shape.join() !== g.shape.join()) {
            throw new Error(
              `sgd: '${p.name}' is [${g.shape}] but its momentum is [${buf.shape}]; call reset()`,
            );
          }
          buf.assign(tf.add(tf.mul(buf, momentum), dampening === 0 ? g : tf.mul(g, 1 - dampening)));
        }
        const b = this.buffers.get(p.name)!;
        g = nesterov ? tf.add(g, tf.mul(b, momentum)) : b;
      }
      p.variable.assign(tf.sub(p.variable, tf.mul(g, lr)));
    });
  }

  /** Momentum buffer of a parameter (tests, checkpoints); undefined before its first step. */
  buffer(name: string): tf.Tensor | undefined {
    return this.buffers.get(name);
  }

  /**
   * Sets a parameter's momentum buffer (resuming from a checkpoint). The variable shares the
   * data of `value` (assign never writes into it), so the caller may dispose `value` at once.
   */
  setBuffer(name: string, value: tf.Tensor): void {
    this.buffers.get(name)?.dispose();
    this.buffers.set(name, tf.variable(value, false));
  }

  /** Forget momentum (e.g. after pruning changes shapes). */
  reset(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }

  dispose(): void {
    this.reset();
  }
}
