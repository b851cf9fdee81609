/**
 * The lab's model IR: a network is a plain, serialisable description (an ordered list of nodes,
 * each naming its inputs) plus a map name → weights. No tfjs-layers: surgery, masks and
 * quantizers work directly on this description.
 *
 * Conventions (shared by every module — read before changing):
 * - Activations are NHWC float32 tensors ([N, H, W, C]); dense layers see [N, F].
 * - Parameter names follow PyTorch's state_dict names: `${node.name}.weight`, `${node.name}.bias`,
 *   and for batch norm also `${node.name}.running_mean`, `${node.name}.running_var` (buffers, not
 *   trainable). So a seed checkpoint's names map 1:1 onto node names.
 * - Weight layouts are tfjs-native, not PyTorch's (checkpoint I/O converts):
 *     conv2d      [kh, kw, inChannels, outChannels]        (PyTorch OIHW → HWIO)
 *     depthwise2d [kh, kw, channels, 1]                    (PyTorch [C,1,kh,kw])
 *     dense       [inFeatures, outFeatures]                (PyTorch [out,in] transposed)
 *     biases / BN vectors [C]
 * - Nodes are topologically ordered: a node's inputs appear before it.
 */

/** Explicit padding [top, bottom, left, right] or TF-style 'same' / 'valid'. */
export type Padding = 'same' | 'valid' | [number, number, number, number];

export type ActivationFn = 'relu' | 'relu6' | 'sigmoid' | 'swish' | 'hswish';

export type NodeSpec =
  /** The network input: NHWC images, already normalised. */
  | { op: 'input'; height: number; width: number; channels: number }
  | {
      op: 'conv2d';
      inChannels: number;
      outChannels: number;
      kernel: number;
      stride: number;
      padding: Padding;
      bias: boolean;
    }
  | {
      op: 'depthwise2d';
      channels: number;
      kernel: number;
      stride: number;
      padding: Padding;
      bias: boolean;
    }
  | { op: 'dense'; inFeatures: number; outFeatures: number; bias: boolean }
  /** BatchNorm2d / 1d over the last axis. PyTorch semantics: eps, momentum (0.1 = new weight). */
  | { op: 'batchnorm'; channels: number; eps: number; momentum: number }
  | { op: 'activation'; fn: ActivationFn }
  /** Element-wise sum of two inputs of equal shape. */
  | { op: 'add' }
  /** Element-wise product with broadcasting (e.g. an SE gate [N,1,1,C] × [N,H,W,C]). */
  | { op: 'mul' }
  /** Average pool; `ceil` = PyTorch ceil_mode. */
  | { op: 'avgpool'; size: number; stride: number; ceil: boolean }
  /** Mean over H and W: [N,H,W,C] → [N,C] (keepDims=false) or [N,1,1,C]. */
  | { op: 'globalavgpool'; keepDims: boolean }
  /**
   * Zero channels so the tensor has `channels` channels (PyramidNet's shortcut: all appended).
   * `front` zeros go before the input's channels (default 0), the rest after — CIFAR ResNet
   * option A as commonly implemented pads both sides.
   */
  | { op: 'padchannels'; channels: number; front?: number }
  /**
   * ShakeDrop (Yamada et al. 2018). Train: per sample, with prob 1−p pass x, else α·x with
   * α ~ U(−1,1) forward and β ~ U(0,1) backward. Eval: x · (1 − p).
   */
  | { op: 'shakedrop'; p: number }
  /** Multiply by a constant. */
  | { op: 'scale'; factor: number }
  /** [N,H,W,C] → [N, H·W·C] (NHWC order). */
  | { op: 'flatten' }
  /**
   * Nearest-neighbour resize to a fixed size, PyTorch `mode='nearest'` index rule:
   * src = floor(dst · in / out) (e.g. 32 → 63 maps 0,0,1,1,…,31).
   */
  | { op: 'upsample'; height: number; width: number }
  /** Concatenate two or more inputs along the channel (last) axis. */
  | { op: 'concat' };

export type OpName = NodeSpec['op'];

export interface GraphNode {
  /** Unique; parameter names derive from it (PyTorch module path, e.g. `layer1.0.conv1`). */
  name: string;
  /** Names of the nodes whose outputs feed this one, in order. */
  inputs: string[];
  spec: NodeSpec;
}

export interface Graph {
  format: 'micronet-lab-graph';
  version: 1;
  /** Human/zoo name, e.g. `pyramidnet-bottleneck-20-a48`. */
  name: string;
  numClasses: number;
  nodes: GraphNode[];
  /** Node whose output is the network's logits. */
  output: string;
  /** Optional extra named outputs (e.g. an early-exit head). */
  extraOutputs?: Record<string, string>;
}

/** A dense float32 tensor as plain data (crosses worker boundaries, serialises). */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** All parameters and buffers of a network, by PyTorch-style name. */
export type Weights = Map<string, TensorData>;
