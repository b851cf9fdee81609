/**
 * Runtime network: a graph plus its tensors. Trainable parameters (conv/dense weight & bias,
 * BN weight & bias) are trainable tf.Variables; BN running statistics are non-trainable
 * tf.Variables updated PyTorch-style: running = (1 − momentum)·running + momentum·batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, TensorData, Weights } from './ir';
import { GraphError } from './graph-error';
import { forward, type BnBatchStats, type ForwardOptions, type ForwardResult } from './forward';
import { countParams, initWeights, listParams, sizeOf, type ParamInfo } from './params';
import { inferShapes } from './shapes';
import type { Rng } from '../util/rng';

let nextId = 0;

function describe(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Every problem between the graph's parameter list and a Weights map. */
export function weightProblems(params: ParamInfo[], weights: Weights): string[] {
  const problems: string[] = [];
  const known = new Set(params.map((p) => p.name));
  for (const p of params) {
    const w = weights.get(p.name);
    if (!w) problems.push(`missing '${p.name}' ${describe(p.shape)}`);
    else if (w.shape.join() !== p.shape.join()) {
      problems.push(`'${p.name}' has shape ${describe(w.shape)}, expected ${describe(p.shape)}`);
    } else if (w.data.length !== sizeOf(p.shape)) {
      problems.push(`'${p.name}' has ${w.data.length} values for shape ${describe(p.shape)}`);
    }
  }
  for (const name of weights.keys()) if (!known.has(name)) problems.push(`unexpected '${name}'`);
  return problems;
}

/** Throws listing the first few problems and their count. */
export function checkWeights(graph: Graph, weights: Weights): void {
  const problems = weightProblems(listParams(graph), weights);
  if (problems.length > 0) {
    const head = problems.slice(0, 5).join('; ');
    throw new GraphError(
      `weights do not fit graph '${graph.name}': ${problems.length} problem(s): ${head}`,
    );
  }
}

export class Network {
  readonly graph: Graph;
  private readonly params: ParamInfo[];
  private readonly tensors = new Map<string, tf.Variable>();
  private isDisposed = false;

  private constructor(graph: Graph, weights: Weights) {
    inferShapes(graph); // validates structure and shapes
    checkWeights(graph, weights);
    this.graph = graph;
    this.params = listParams(graph);
    const id = nextId++;
    for (const p of this.params) {
      const w = weights.get(p.name)!;
      const t = tf.tensor(w.data.slice(), p.shape, 'float32'); // cpu would alias the caller's array
      this.tensors.set(p.name, tf.variable(t, p.trainable, `net${id}/${p.name}`));
      t.dispose();
    }
  }

  /** Network holding copies of `weights` (every graph param, exact shapes, nothing extra). */
  static fromWeights(graph: Graph, weights: Weights): Network {
    return new Network(graph, weights);
  }

  /** Network with fresh seeded weights (see initWeights). */
  static fromInit(graph: Graph, seed: number): Network {
    return new Network(graph, initWeights(graph, seed));
  }

  private live(): void {
    if (this.isDisposed) throw new GraphError(`network '${this.graph.name}' is disposed`);
  }

  /** name → tensor for forward(); includes running stats. */
  lookup(): ReadonlyMap<string, tf.Tensor> {
    this.live();
    return this.tensors;
  }

  /** forward(graph, params, x, opts) with this network's tensors. */
  forward(x: tf.Tensor4D, opts: ForwardOptions): ForwardResult {
    return forward(this.graph, this.lookup(), x, opts);
  }

  /** Eval-mode logits [N, numClasses]; the caller disposes them. */
  predict(x: tf.Tensor4D): tf.Tensor {
    const { output, extra } = this.forward(x, { training: false });
    for (const t of Object.values(extra)) if (t !== output) t.dispose();
    return output;
  }

  /** Trainable variables in listParams order (node order; weight before bias). */
  trainableVariables(): tf.Variable[] {
    this.live();
    return this.params.filter((p) => p.trainable).map((p) => this.tensors.get(p.name)!);
  }

  /** Names matching trainableVariables(), index for index. */
  trainableNames(): string[] {
    return this.params.filter((p) => p.trainable).map((p) => p.name);
  }

  /** The tensor (variable) of one parameter or buffer. */
  getTensor(name: string): tf.Variable {
    this.live();
    const t = this.tensors.get(name);
    if (!t) throw new GraphError(`network '${this.graph.name}' has no parameter '${name}'`);
    return t;
  }

  /**
   * Training-mode forward (batch-stat BN, ShakeDrop gates from `rng`) → logits [N, numClasses]
   * and BN batch statistics; extra outputs are dropped. Fits train/'s TrainableModel.
   */
  forwardTrain(
    x: tf.Tensor4D,
    rng: Rng,
  ): { logits: tf.Tensor; bnBatchStats: Map<string, BnBatchStats> } {
    const { output, extra, bnBatchStats } = this.forward(x, { training: true, rng });
    for (const t of Object.values(extra)) if (t !== output) t.dispose();
    return { logits: output, bnBatchStats };
  }

  /** running = (1 − m)·running + m·batch for each BN in the map (stats are not disposed). */
  applyBnUpdates(
    bnBatchStats: ReadonlyMap<string, { mean: tf.Tensor; variance: tf.Tensor }>,
  ): void {
    this.live();
    for (const [name, { mean, variance }] of bnBatchStats) {
      const node = this.graph.nodes.find((n) => n.name === name);
      if (node?.spec.op !== 'batchnorm')
        throw new GraphError(`applyBnUpdates: '${name}' is not a batchnorm node`);
      const m = node.spec.momentum;
      for (const [kind, batch] of [
        ['running_mean', mean],
        ['running_var', variance],
      ] as const) {
        const running = this.getTensor(`${name}.${kind}`);
        tf.tidy(() => running.assign(tf.add(tf.mul(running, 1 - m), tf.mul(batch, m))));
      }
    }
  }

  /** Replace every parameter and buffer with `weights` (same checks as fromWeights). */
  loadWeights(weights: Weights): void {
    this.live();
    checkWeights(this.graph, weights);
    for (const p of this.params) {
      const w = weights.get(p.name)!;
      tf.tidy(() => this.getTensor(p.name).assign(tf.tensor(w.data.slice(), p.shape, 'float32')));
    }
  }

  /** Synchronous download into fresh arrays (cpu/wasm/webgl; use toWeightsAsync on webgpu). */
  toWeights(): Weights {
    this.live();
    const out: Weights = new Map();
    for (const p of this.params) {
      out.set(p.name, {
        shape: [...p.shape],
        data: (this.tensors.get(p.name)!.dataSync() as Float32Array).slice(),
      });
    }
    return out;
  }

  async toWeightsAsync(): Promise<Weights> {
    this.live();
    const entries = await Promise.all(
      this.params.map(async (p): Promise<[string, TensorData]> => {
        const data = ((await this.tensors.get(p.name)!.data()) as Float32Array).slice(); // own copy
        return [p.name, { shape: [...p.shape], data }];
      }),
    );
    return new Map(entries);
  }

  /** Learnable parameter count (BN affine included, running stats excluded). */
  paramCount(): number {
    return countParams(this.graph);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) return;
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
    this.isDisposed = true;
  }
}
