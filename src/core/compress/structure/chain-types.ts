/** Types and shared helpers of layer chains (layer-chain.ts has the overview). */
import type { GraphNode, NodeSpec } from '../../graph/ir';

type ConvSpec = Extract<NodeSpec, { op: 'conv2d' }>;
type DenseSpec = Extract<NodeSpec, { op: 'dense' }>;
export type LayerSpec = ConvSpec | DenseSpec;

export type ChainForm = 'plain' | 'basis-in' | 'basis-out' | 'tucker';

export interface LayerChain {
  /** The layer's name: its last node, the one consumers read. */
  name: string;
  /** Spec of the k×k (main) node: op and, for convs, kernel / stride / padding. */
  spec: LayerSpec;
  cIn: number;
  cOut: number;
  /** kernel² (dense: 1). */
  taps: number;
  /** Inner widths: rows of basisIn (c_in without it) and columns of basisOut (c_out without). */
  p: number;
  q: number;
  basisIn: Float64Array | null;
  core: Float64Array;
  basisOut: Float64Array | null;
  /** The layer's bias (last node), or null. */
  bias: Float32Array | null;
}

export interface ChainNodes {
  basisIn: GraphNode | null;
  core: GraphNode;
  basisOut: GraphNode | null;
}

export const IN_SUFFIX = '.basis_in';
export const CORE_SUFFIX = '.core';

export function fail(msg: string): never {
  throw new Error(`layer chain: ${msg}`);
}

export function dims(s: LayerSpec): { cin: number; cout: number; k: number; bias: boolean } {
  return s.op === 'conv2d'
    ? { cin: s.inChannels, cout: s.outChannels, k: s.kernel, bias: s.bias }
    : { cin: s.inFeatures, cout: s.outFeatures, k: 1, bias: s.bias };
}

/** Shape of layer `name` as the graph has it (no weights needed). */
export interface ChainDims {
  name: string;
  /** The main (k×k) node's name. */
  main: string;
  form: ChainForm;
  spec: LayerSpec;
  kernel: number;
  taps: number;
  cIn: number;
  cOut: number;
  p: number;
  q: number;
  hasBias: boolean;
  /** Weights now (biases aside). */
  params: number;
}
