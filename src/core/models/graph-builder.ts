/**
 * Small helper the model builders use to emit IR nodes in topological order; `build()` checks
 * the result (structure + shapes) so a builder bug fails at construction.
 */
import type { Graph, GraphNode, NodeSpec, Padding } from '../graph/ir';
import { inferShapes } from '../graph/shapes';

/** PyTorch BatchNorm defaults. */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];

  /** Appends a node and returns its name (to use as a later node's input). */
  add(name: string, spec: NodeSpec, inputs: string[] = []): string {
    this.nodes.push({ name, inputs, spec });
    return name;
  }

  input(size: number, channels = 3, name = 'input'): string {
    return this.add(name, { op: 'input', height: size, width: size, channels });
  }

  /** k×k conv, PyTorch-style symmetric padding p (default (k−1)/2), no bias unless asked. */
  conv(
    name: string,
    input: string,
    o: { in: number; out: number; k: number; stride?: number; pad?: number; bias?: boolean },
  ): string {
    const p = o.pad ?? (o.k - 1) / 2;
    const padding: Padding = [p, p, p, p];
    const spec: NodeSpec = {
      op: 'conv2d',
      inChannels: o.in,
      outChannels: o.out,
      kernel: o.k,
      stride: o.stride ?? 1,
      padding,
      bias: o.bias ?? false,
    };
    return this.add(name, spec, [input]);
  }

  bn(name: string, input: string, channels: number): string {
    return this.add(name, { op: 'batchnorm', channels, eps: BN_EPS, momentum: BN_MOMENTUM }, [
      input,
    ]);
  }

  relu(name: string, input: string): string {
    return this.add(name, { op: 'activation', fn: 'relu' }, [input]);
  }

  /** Global average pool → [N, C], then dense → [N, numClasses] with bias. */
  head(
    poolName: string,
    fcName: string,
    input: string,
    features: number,
    numClasses: number,
  ): string {
    const pooled = this.add(poolName, { op: 'globalavgpool', keepDims: false }, [input]);
    return this.add(
      fcName,
      { op: 'dense', inFeatures: features, outFeatures: numClasses, bias: true },
      [pooled],
    );
  }

  build(name: string, numClasses: number, output: string): Graph {
    const graph: Graph = {
      format: 'micronet-lab-graph',
      version: 1,
      name,
      numClasses,
      nodes: this.nodes,
      output,
    };
    inferShapes(graph);
    return graph;
  }
}
