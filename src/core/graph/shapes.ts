/**
 * Static shape inference for the model IR: per-node output shapes WITHOUT the batch dimension
 * ([H, W, C] for feature maps, [F] for vectors), computed from the specs alone. Also checks that
 * channel counts agree along every edge, so a bad surgery fails here with the node named.
 */
import type { Graph, GraphNode, NodeSpec } from './ir';
import { GraphError } from './graph-error';
import { convOutHW, poolOutSize } from './padding';
import { ensureValid } from './validate';

/** node name → per-sample output shape. */
export type ShapeMap = Map<string, number[]>;

function fail(node: GraphNode, msg: string): never {
  throw new GraphError(`node '${node.name}' (${node.spec.op}): ${msg}`);
}

function expectMap(node: GraphNode, s: number[], channels?: number): [number, number, number] {
  if (s.length !== 3) fail(node, `expects a [H,W,C] feature map, got [${s.join(',')}]`);
  const [h, w, c] = s as [number, number, number];
  if (channels !== undefined && c !== channels)
    fail(node, `expects ${channels} channels, input has ${c}`);
  return [h, w, c];
}

function positive(node: GraphNode, shape: number[]): number[] {
  if (shape.some((d) => d <= 0)) fail(node, `output shape [${shape.join(',')}] is empty`);
  return shape;
}

function broadcast(node: GraphNode, a: number[], b: number[]): number[] {
  if (a.length !== b.length) fail(node, `rank mismatch [${a.join(',')}] vs [${b.join(',')}]`);
  return a.map((d, i) => {
    const e = b[i]!;
    if (d !== e && d !== 1 && e !== 1)
      fail(node, `cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
    return Math.max(d, e);
  });
}

function unaryShape(node: GraphNode, spec: NodeSpec, s: number[]): number[] {
  switch (spec.op) {
    case 'conv2d': {
      const [h, w] = expectMap(node, s, spec.inChannels);
      return [...convOutHW(h, w, spec.kernel, spec.stride, spec.padding), spec.outChannels];
    }
    case 'depthwise2d': {
      const [h, w] = expectMap(node, s, spec.channels);
      return [...convOutHW(h, w, spec.kernel, spec.stride, spec.padding), spec.channels];
    }
    case 'dense':
      if (s.length !== 1 || s[0] !== spec.inFeatures) {
        fail(node, `expects [${spec.inFeatures}] features, got [${s.join(',')}]`);
      }
      return [spec.outFeatures];
    case 'batchnorm':
      if ((s.length !== 1 && s.length !== 3) || s[s.length - 1] !== spec.channels) {
        fail(node, `expects ${spec.channels} channels on the last axis, got [${s.join(',')}]`);
      }
      return s;
    case 'avgpool': {
      const [h, w, c] = expectMap(node, s);
      const pool = (d: number) => poolOutSize(d, spec.size, spec.stride, spec.ceil);
      return [pool(h), pool(w), c];
    }
    case 'globalavgpool': {
      const c = expectMap(node, s)[2];
      return spec.keepDims ? [1, 1, c] : [c];
    }
    case 'padchannels': {
      const c = s[s.length - 1]!;
      if (s.length !== 3 && s.length !== 1) fail(node, `expects rank 1 or 3, got [${s.join(',')}]`);
      if (c + (spec.front ?? 0) > spec.channels) {
        fail(node, `cannot pad ${c} channels (+${spec.front ?? 0} in front) to ${spec.channels}`);
      }
      return [...s.slice(0, -1), spec.channels];
    }
    case 'upsample':
      return [spec.height, spec.width, expectMap(node, s)[2]];
    case 'flatten':
      return [s.reduce((a, b) => a * b, 1)];
    default:
      return s; // activation, shakedrop, scale
  }
}

function nodeShape(node: GraphNode, ins: number[][]): number[] {
  const spec = node.spec;
  switch (spec.op) {
    case 'input':
      return [spec.height, spec.width, spec.channels];
    case 'add': {
      const [a, b] = ins as [number[], number[]];
      if (a.join() !== b.join())
        fail(node, `input shapes differ: [${a.join(',')}] vs [${b.join(',')}]`);
      return a;
    }
    case 'mul':
      return broadcast(node, ins[0]!, ins[1]!);
    case 'concat': {
      const maps = ins.map((s) => expectMap(node, s));
      const [h, w] = maps[0]!;
      if (maps.some(([hh, ww]) => hh !== h || ww !== w)) fail(node, 'inputs differ in H×W');
      return [h, w, maps.reduce((sum, m) => sum + m[2], 0)];
    }
    default:
      return unaryShape(node, spec, ins[0]!);
  }
}

/** Per-sample output shape of every node; throws GraphError on any mismatch. */
export function inferShapes(graph: Graph): ShapeMap {
  ensureValid(graph);
  const shapes: ShapeMap = new Map();
  for (const node of graph.nodes) {
    const ins = node.inputs.map((name) => shapes.get(name)!);
    shapes.set(node.name, positive(node, nodeShape(node, ins)));
  }
  const out = shapes.get(graph.output)!;
  if (out.length !== 1 || out[0] !== graph.numClasses) {
    throw new GraphError(
      `graph output '${graph.output}' has shape [${out.join(',')}], expected [${graph.numClasses}]`,
    );
  }
  return shapes;
}
