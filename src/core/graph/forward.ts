/**
 * Forward pass of the model IR over tfjs-core ops, in train or eval mode (PyTorch semantics:
 * train-mode BN uses batch statistics and reports them for running-stat updates; ShakeDrop
 * gates are random in training and the constant 1 − p in eval). Differentiable end to end, so
 * it can run inside tf.variableGrads. Intermediates are disposed as soon as their last consumer
 * has run; only the tensors in the result survive (the caller owns them).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients on import; forward must work under tf.variableGrads.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Graph, GraphNode } from './ir';
import { GraphError } from './graph-error';
import { listParams } from './params';
import { ensureValid } from './validate';
import * as k from './kernels';
import type { Rng } from '../util/rng';

/** name → tensor (a Map or a function returning undefined for unknown names). */
export type ParamLookup =
  ReadonlyMap<string, tf.Tensor> | ((name: string) => tf.Tensor | undefined);

export interface ForwardOptions {
  training: boolean;
  /** Source of ShakeDrop gates; required in training when the graph has ShakeDrop. */
  rng?: Rng;
  /**
   * Training with frozen batch norms: BN normalises with its running statistics (as in eval)
   * and reports no batch statistics, so they are never updated; γ and β still train.
   */
  frozenBatchNorm?: boolean;
  /**
   * Called with each node's inputs just before it runs, inside the node's tidy; returns the
   * tensors the node runs on (same count), e.g. fake-quantized activations. To observe only,
   * return `inputs`; tensors it wants to outlive the node must be tf.keep()-ed.
   */
  inputHook?: (node: GraphNode, inputs: tf.Tensor[]) => tf.Tensor[];
}

export interface BnBatchStats {
  mean: tf.Tensor1D;
  /** Unbiased batch variance (×n/(n−1)), as PyTorch uses for running_var. */
  variance: tf.Tensor1D;
}

export interface ForwardResult {
  output: tf.Tensor;
  extra: Record<string, tf.Tensor>;
  /** Training only: BN node name → batch statistics. Empty in eval. */
  bnBatchStats: Map<string, BnBatchStats>;
}

interface Ctx {
  params: ParamLookup;
  shapes: Map<string, number[]>;
  opts: ForwardOptions;
}

const paramShapeCache = new WeakMap<Graph, Map<string, number[]>>();

function paramShapes(graph: Graph): Map<string, number[]> {
  let m = paramShapeCache.get(graph);
  if (!m) {
    m = new Map(listParams(graph).map((p) => [p.name, p.shape]));
    paramShapeCache.set(graph, m);
  }
  return m;
}

function param(ctx: Ctx, name: string): tf.Tensor {
  const t = typeof ctx.params === 'function' ? ctx.params(name) : ctx.params.get(name);
  if (!t) throw new GraphError(`missing parameter '${name}'`);
  const want = ctx.shapes.get(name)!;
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new GraphError(
      `parameter '${name}' has shape [${t.shape.join(',')}], expected [${want.join(',')}]`,
    );
  }
  return t;
}

function withBias(ctx: Ctx, node: GraphNode, y: tf.Tensor, bias: boolean): tf.Tensor {
  return bias ? tf.add(y, param(ctx, `${node.name}.bias`)) : y;
}

type NodeOut = tf.Tensor | k.BnTrainResult;

function runNode(node: GraphNode, ins: tf.Tensor[], ctx: Ctx): NodeOut {
  const s = node.spec;
  const x = ins[0]!;
  const w = () => param(ctx, `${node.name}.weight`);
  switch (s.op) {
    case 'conv2d':
      return withBias(
        ctx,
        node,
        tf.conv2d(x as tf.Tensor4D, w() as tf.Tensor4D, s.stride, k.tfPad(s.padding)),
        s.bias,
      );
    case 'depthwise2d': {
      const y = tf.depthwiseConv2d(
        x as tf.Tensor4D,
        w() as tf.Tensor4D,
        s.stride,
        k.tfPad(s.padding),
      );
      return withBias(ctx, node, y, s.bias);
    }
    case 'dense':
      return withBias(ctx, node, tf.matMul(x as tf.Tensor2D, w() as tf.Tensor2D), s.bias);
    case 'batchnorm': {
      const p = (kind: string) => param(ctx, `${node.name}.${kind}`);
      const bn = {
        gamma: w(),
        beta: p('bias'),
        runningMean: p('running_mean'),
        runningVar: p('running_var'),
        eps: s.eps,
      };
      return ctx.opts.training && !ctx.opts.frozenBatchNorm
        ? k.batchNormTrain(x, bn, node.name)
        : k.batchNormEval(x, bn);
    }
    case 'activation':
      return k.activation(x, s.fn, ctx.opts.training);
    case 'add':
      return tf.add(x, ins[1]!);
    case 'mul':
      return tf.mul(x, ins[1]!);
    case 'avgpool':
      return k.avgPool(x as tf.Tensor4D, s.size, s.stride, s.ceil);
    case 'globalavgpool':
      return tf.mean(x, [1, 2], s.keepDims);
    case 'padchannels':
      return k.padChannels(x, s.channels, s.front ?? 0);
    case 'shakedrop':
      if (!ctx.opts.training) return tf.mul(x, 1 - s.p);
      if (!ctx.opts.rng)
        throw new GraphError(`shakedrop '${node.name}': training mode needs opts.rng`);
      return k.shakeDropTrain(x, s.p, ctx.opts.rng);
    case 'scale':
      return tf.mul(x, s.factor);
    case 'flatten':
      return tf.reshape(x, [x.shape[0]!, -1]);
    case 'upsample':
      return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [s.height, s.width], false, false);
    case 'concat':
      return tf.concat(ins, -1);
    case 'input':
      throw new GraphError(`input node '${node.name}' cannot be run`);
  }
}

function checkInput(graph: Graph, x: tf.Tensor): void {
  const spec = graph.nodes.find((n) => n.spec.op === 'input')!.spec;
  if (spec.op !== 'input') return;
  const want = [spec.height, spec.width, spec.channels];
  if (x.rank !== 4 || x.shape.slice(1).some((d, i) => d !== want[i])) {
    throw new GraphError(`input must be [N,${want.join(',')}] (NHWC), got [${x.shape.join(',')}]`);
  }
}

/** How many times each node's output is consumed (outputs count once more: never freed). */
function consumerCounts(graph: Graph): Map<string, number> {
  const refs = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) refs.set(i, (refs.get(i) ?? 0) + 1);
  const keep = [graph.output, ...Object.values(graph.extraOutputs ?? {})];
  for (const name of keep) refs.set(name, Number.POSITIVE_INFINITY);
  return refs;
}

interface TidyResult {
  output: tf.Tensor;
  extra: Record<string, tf.Tensor>;
  stats: Record<string, { mean: tf.Tensor1D; variance: tf.Tensor1D }>;
}

/** opts.inputHook applied to a node's inputs (checked: one tensor per input). */
function hookInputs(node: GraphNode, ins: tf.Tensor[], opts: ForwardOptions): tf.Tensor[] {
  if (!opts.inputHook) return ins;
  const out = opts.inputHook(node, ins);
  if (!Array.isArray(out) || out.length !== ins.length) {
    const got = Array.isArray(out) ? `${out.length} tensor(s)` : String(out);
    throw new GraphError(
      `inputHook for '${node.name}' must return ${ins.length} tensor(s), got ${got}`,
    );
  }
  return out;
}

/** Runs the graph on x [N,H,W,C]; see ForwardResult. */
export function forward(
  graph: Graph,
  params: ParamLookup,
  x: tf.Tensor4D,
  opts: ForwardOptions,
): ForwardResult {
  ensureValid(graph);
  checkInput(graph, x);
  const ctx: Ctx = { params, shapes: paramShapes(graph), opts };
  const refs = consumerCounts(graph);
  const res = tf.tidy(() => {
    const values = new Map<string, tf.Tensor>();
    const stats: TidyResult['stats'] = {};
    for (const node of graph.nodes) {
      if (node.spec.op === 'input') {
        values.set(node.name, x);
        continue;
      }
      const ins = node.inputs.map((name) => values.get(name)!);
      const out = tf.tidy(
        () => runNode(node, hookInputs(node, ins, opts), ctx) as tf.TensorContainer,
      ) as NodeOut;
      if (out instanceof tf.Tensor) values.set(node.name, out);
      else {
        values.set(node.name, out.y);
        stats[node.name] = { mean: out.mean, variance: out.variance };
      }
      for (const name of node.inputs) {
        const left = refs.get(name)! - 1;
        refs.set(name, left);
        const t = values.get(name)!;
        if (left === 0 && t !== x) t.dispose();
      }
    }
    const extra: Record<string, tf.Tensor> = {};
    for (const [key, name] of Object.entries(graph.extraOutputs ?? {}))
      extra[key] = values.get(name)!;
    return { output: values.get(graph.output)!, extra, stats } as unknown as tf.TensorContainer;
  }) as unknown as TidyResult;
  return { output: res.output, extra: res.extra, bnBatchStats: new Map(Object.entries(res.stats)) };
}
