// Test-only: typed access to shared/oracles/micronet-counting.json (Node; never bundled).
import fs from 'node:fs';
import path from 'node:path';
import { ORACLES_DIR } from '../../test-paths';
import type { ActivationFn } from '../graph/ir';
import type { CountOp } from './op-counts';

export interface OracleResult {
  param_bits_total: number;
  params_32bit_equiv: number;
  raw_mults: number;
  raw_adds: number;
  weighted_mults: number;
  weighted_adds: number;
  weighted_ops: number;
}

/** One op of the oracle's op lists (single-layer cases and per-layer rows). */
export interface OracleOp {
  id?: string;
  name?: string;
  op: string;
  input_size?: number;
  output_size?: number;
  kernel_shape?: number[];
  strides?: number[];
  padding?: 'same' | 'valid';
  use_bias?: boolean;
  activation?: ActivationFn | null;
  n_channels?: number;
  sparsity: number;
  param_bits: number;
  mult_bits?: number;
  add_bits?: number;
  raw_mults?: number;
  raw_adds?: number;
  result?: OracleResult;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

let cached: Json | undefined;

export function loadCountingOracle(): Json {
  cached ??= JSON.parse(
    fs.readFileSync(path.join(ORACLES_DIR, 'micronet-counting.json'), 'utf8'),
  ) as Json;
  return cached;
}

/** The oracle's op record as a CountOp. */
export function toCountOp(o: OracleOp): CountOp {
  const k = o.kernel_shape ?? [];
  switch (o.op) {
    case 'Conv2D':
    case 'DepthWiseConv2D':
      return {
        op: o.op,
        inputSize: o.input_size!,
        kernelShape: k as [number, number, number, number],
        stride: o.strides![0]!,
        padding: o.padding!,
        useBias: o.use_bias!,
        activation: o.activation ?? null,
      };
    case 'FullyConnected':
      return {
        op: 'FullyConnected',
        kernelShape: k as [number, number],
        useBias: o.use_bias!,
        activation: o.activation ?? null,
      };
    case 'GlobalAvg':
    case 'Scale':
    case 'Add':
      return { op: o.op, inputSize: o.input_size!, channels: o.n_channels! };
    case 'AvgPool2x2_nonofficial':
      return { op: 'AvgPool', outputSize: o.output_size!, kernel: 2, channels: o.n_channels! };
    default:
      throw new Error(`oracle op '${o.op}' unknown`);
  }
}

/** |a − b| ≤ tol·max(|b|, 1). */
export function relClose(a: number, b: number, tol = 1e-12): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(b), 1);
}
