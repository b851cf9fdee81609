/**
 * MicroNet Challenge op arithmetic, per op, exactly as the organisers' reference counter
 * (google-research `micronet_challenge/counting.py`, `count_ops`) defines it, in float64 and in
 * the same operation order (shared/docs/MICRONET_RULES.md, shared/oracles/micronet-counting.json):
 * - Conv2D k×k c_in→c_out, output out×out, sparsity s: vl = k²·c_in·(1−s); mults = vl·N,
 *   adds = (vl−1)·N (+N with bias) with N = out²·c_out; depthwise: vl = k²·(1−s), N = out²·C;
 * - FullyConnected: vl = c_in·(1−s); mults = vl·c_out, adds = (vl−1)·c_out (+c_out with bias);
 * - activations per output element (mults, adds): relu 1,0 · sigmoid 2,1 · swish 3,1;
 * - GlobalAvg: C mults, (H·H−1)·C adds · Scale: H·H·C mults · Add: H·H·C adds;
 * - sparse storage n·b·(1−s) + n (1-bit mask, only when s > 0); biases dense at b bits.
 * Non-official ops the lab also needs (2×2 shortcut average pool, README upsample) follow the
 * oracle's `non_official_ops`. The network-level counter (score-network.ts) uses the same rules.
 */
import type { ActivationFn } from '../graph/ir';

/** CIFAR-100 baseline (WideResNet-28-10): score = params/36.5e6 + ops/10.49e9. */
export const BASELINE_PARAMS = 36.5e6;
export const BASELINE_OPS = 10.49e9;

/** (mults, adds) per output element. h-swish/ReLU6 are not in counting.py: teams' choices. */
export type ActivationCosts = Record<ActivationFn, readonly [number, number]>;

export const DEFAULT_ACTIVATION_COSTS: ActivationCosts = {
  relu: [1, 0],
  sigmoid: [2, 1],
  swish: [3, 1],
  /** x·relu6(x+3)/6: the count KAIST and others used. */
  hswish: [4, 1],
  /** min(max(x,0),6): two comparisons, booked as mults like ReLU. */
  relu6: [2, 0],
};

export type Padding = 'same' | 'valid';

/** One op of the official op list (counting.py namedtuples, square images and kernels). */
export type CountOp =
  | {
      op: 'Conv2D' | 'DepthWiseConv2D';
      inputSize: number;
      /** [k, k, c_in, c_out]; depthwise [k, k, C, 1]. */
      kernelShape: readonly [number, number, number, number];
      stride: number;
      padding: Padding;
      useBias: boolean;
      activation: ActivationFn | null;
    }
  | {
      op: 'FullyConnected';
      kernelShape: readonly [number, number];
      useBias: boolean;
      activation: ActivationFn | null;
    }
  | { op: 'GlobalAvg' | 'Scale' | 'Add'; inputSize: number; channels: number }
  /** 2×2-style average pool (not official): 1 mult + (k²−1) adds per output element. */
  | { op: 'AvgPool'; outputSize: number; kernel: number; channels: number }
  /** Nearest upsample, OSI README convention (not official): 1 mult per output element. */
  | { op: 'Upsample'; outputSize: number; channels: number };

export interface RawCounts {
  /** Total parameter storage in bits. */
  paramBits: number;
  mults: number;
  adds: number;
}

export interface OpBits {
  param: number;
  mult: number;
  add: number;
}

export interface WeightedCounts extends RawCounts {
  /** paramBits / 32. */
  params32: number;
  /** mults · multBits / 32. */
  weightedMults: number;
  /** adds · addBits / 32. */
  weightedAdds: number;
  weightedOps: number;
}

/** counting.py `get_conv_output_size`: ceil((H − k + 1 + 2·pad)/stride), pad = k//2 for 'same'. */
export function officialOutputSize(
  inputSize: number,
  kernel: number,
  padding: Padding,
  stride: number,
): number {
  const pad = padding === 'same' ? Math.floor(kernel / 2) : 0;
  return Math.ceil((inputSize - kernel + 1 + 2 * pad) / stride);
}

/** Bits of a tensor of n elements stored sparse: n·b·(1−s), plus a 1-bit mask when s > 0. */
export function sparseSizeBits(n: number, bits: number, sparsity: number): number {
  let size = n * bits * (1 - sparsity);
  if (sparsity > 0) size += n;
  return size;
}

function checkSparsity(s: number): void {
  if (!(s >= 0 && s <= 1)) throw new Error(`sparsity must be in [0, 1], got ${s}`);
}

function activationCounts(
  fn: ActivationFn | null,
  n: number,
  costs: ActivationCosts,
): [number, number] {
  if (fn === null) return [0, 0];
  const c = costs[fn];
  return [c[0] * n, c[1] * n];
}

function convCounts(
  op: Extract<CountOp, { op: 'Conv2D' | 'DepthWiseConv2D' }>,
  s: number,
  b: number,
  costs: ActivationCosts,
): RawCounts {
  const [k, k2, cIn, cOut] = op.kernelShape;
  if (k !== k2) throw new Error(`${op.op} needs a square kernel, got ${k}×${k2}`);
  const depthwise = op.op === 'DepthWiseConv2D';
  if (depthwise && cOut !== 1) throw new Error(`DepthWiseConv2D kernel must end in 1, got ${cOut}`);
  const channelsOut = depthwise ? cIn : cOut;
  let paramBits = sparseSizeBits(depthwise ? k * k * cIn : k * k * cIn * cOut, b, s);
  const vl = (depthwise ? k * k : k * k * cIn) * (1 - s);
  const n = officialOutputSize(op.inputSize, k, op.padding, op.stride) ** 2 * channelsOut;
  const mults = vl * n;
  let adds = (vl - 1) * n;
  if (op.useBias) {
    paramBits += channelsOut * b;
    adds += n;
  }
  const [am, aa] = activationCounts(op.activation, n, costs);
  return { paramBits, mults: mults + am, adds: adds + aa };
}

/**
 * counting.py `count_ops(op, sparsity, param_bits)`: parameter bits and raw mults/adds of one
 * op for one input sample. Sparsity applies to Conv/DepthWise/FC weights only.
 */
export function countOp(
  op: CountOp,
  sparsity: number,
  paramBits: number,
  costs: ActivationCosts = DEFAULT_ACTIVATION_COSTS,
): RawCounts {
  checkSparsity(sparsity);
  switch (op.op) {
    case 'Conv2D':
    case 'DepthWiseConv2D':
      return convCounts(op, sparsity, paramBits, costs);
    case 'FullyConnected': {
      const [cIn, cOut] = op.kernelShape;
      let bits = sparseSizeBits(cIn * cOut, paramBits, sparsity);
      const vl = cIn * (1 - sparsity);
      let adds = (vl - 1) * cOut;
      if (op.useBias) {
        bits += cOut * paramBits;
        adds += cOut;
      }
      const [am, aa] = activationCounts(op.activation, cOut, costs);
      return { paramBits: bits, mults: vl * cOut + am, adds: adds + aa };
    }
    case 'GlobalAvg':
      return {
        paramBits: 0,
        mults: op.channels,
        adds: (op.inputSize * op.inputSize - 1) * op.channels,
      };
    case 'Scale':
      return { paramBits: 0, mults: op.inputSize * op.inputSize * op.channels, adds: 0 };
    case 'Add':
      return { paramBits: 0, mults: 0, adds: op.inputSize * op.inputSize * op.channels };
    case 'AvgPool': {
      const n = op.outputSize * op.outputSize * op.channels;
      return { paramBits: 0, mults: n, adds: (op.kernel * op.kernel - 1) * n };
    }
    case 'Upsample':
      return { paramBits: 0, mults: op.outputSize * op.outputSize * op.channels, adds: 0 };
  }
}

/** Raw counts weighted by bit widths: a b-bit op costs b/32 of an op. */
export function weighCounts(c: RawCounts, bits: OpBits): WeightedCounts {
  const weightedMults = (c.mults * bits.mult) / 32;
  const weightedAdds = (c.adds * bits.add) / 32;
  return {
    ...c,
    params32: c.paramBits / 32,
    weightedMults,
    weightedAdds,
    weightedOps: weightedMults + weightedAdds,
  };
}

/** Sum of weighted counts over an op list, every op at the same sparsity and bits. */
export function countOpList(
  ops: readonly CountOp[],
  sparsity: number,
  bits: OpBits,
  costs: ActivationCosts = DEFAULT_ACTIVATION_COSTS,
): WeightedCounts {
  let paramBits = 0;
  let mults = 0;
  let adds = 0;
  for (const op of ops) {
    const c = countOp(op, sparsity, bits.param, costs);
    paramBits += c.paramBits;
    mults += c.mults;
    adds += c.adds;
  }
  return weighCounts({ paramBits, mults, adds }, bits);
}

/** CIFAR-100 MicroNet score from 32-bit-equivalent params and weighted ops. */
export function micronetScore(params32: number, ops: number): number {
  return params32 / BASELINE_PARAMS + ops / BASELINE_OPS;
}
