/**
 * The MicroNet Lab compressed checkpoint (docs/COMPRESSED_FORMAT.md, version 1): types, constants
 * and the error every read failure raises. A file holds exactly the parameter storage the
 * MicroNet score counts (official profile): quantized tensors as bit-packed codes at their width,
 * sparse layer weights as a 1-bit mask + the kept codes, floats at 32 or (16-bit freebie) 16
 * bits — plus a small deflated JSON header (graph, recipe, tensor table, activation quantizers).
 */
import type { Graph, Weights } from '../../graph/ir';
import type { ActivationQuant, TensorQuant } from './quant-params';
import type { Recipe } from '../../recipe';

export const COMPRESSED_FORMAT = 'micronet-compressed';
/** Newest version; the writer uses 1 whenever no tensor has per-channel exponents. */
export const COMPRESSED_VERSION = 2;
export const COMPRESSED_VERSIONS: readonly number[] = [1, 2];
/** "MNLC" */
export const COMPRESSED_MAGIC = Uint8Array.of(0x4d, 0x4e, 0x4c, 0x43);
/** magic 4 · version u16 · flags u16 · file bytes u32 · header bytes u32 · header raw bytes u32 */
export const FIXED_HEADER_BYTES = 20;
export const CRC_BYTES = 4;
/** File name extension the CLI writes. */
export const COMPRESSED_EXTENSION = '.mnlc';

/** Column order of a tensor-table row in a version-1 header. */
export const TENSOR_COLUMNS_V1 = [
  'name',
  'shape',
  'encoding',
  'dtype',
  'bits',
  'bp',
  'nnz',
  'bytes',
] as const;
/** Version 2 adds `channels`: per-channel exponents stored (0 = one exponent, `bp`). */
export const TENSOR_COLUMNS = [...TENSOR_COLUMNS_V1, 'channels'] as const;

/** Columns of a header of the given version. */
export function tensorColumns(version: number): readonly string[] {
  return version === 1 ? TENSOR_COLUMNS_V1 : TENSOR_COLUMNS;
}

export type TensorEncoding = 'dense' | 'sparse';
/** int: signed codes k, value k·2^−bp; float16 / float32: IEEE little-endian. */
export type TensorDtype = 'int' | 'float16' | 'float32';

export interface CompressedModelData {
  /** The network as it runs (BN folded / affine: see graph/affine-batchnorm.ts). */
  graph: Graph;
  /** Every parameter of `graph`; quantized ones exactly k·2^−bp (BN running stats of an
   * affine BN — eps 0, mean 0, var 1 — are implied by the graph and not stored). */
  weights: Weights;
  /** Parameter name → { bits, bp, channelBp? } of every quantized parameter. */
  weightQuant: Record<string, TensorQuant>;
  /** Layer name → quantizer of the activation entering it (layers with bits < 32). */
  activationQuant: Record<string, ActivationQuant>;
  /**
   * Parameter name → mask (1 = stored, 0 = pruned: the value is 0) of each tensor stored sparse;
   * index-aligned with the tensor. A mask without zeros is stored dense. Kept entries may be 0
   * (a small weight quantized to 0), exactly as the score counts them.
   */
  masks?: Record<string, Uint8Array>;
  recipe: Recipe;
  /** Free-form facts (source model, exit rate, metrics, …). */
  info: Record<string, unknown>;
}

/** One stored tensor, as the header's table describes it. */
export interface TensorLayout {
  name: string;
  shape: number[];
  encoding: TensorEncoding;
  dtype: TensorDtype;
  /** Width of each stored value (int: 1–16; float16: 16; float32: 32). */
  bits: number;
  /** Binary point of int codes (per channel: the smallest); null for floats. */
  bp: number | null;
  /** Per-channel exponents stored before the codes as int8 (0: the tensor's one `bp`). */
  channels: number;
  /** Values stored: all elements (dense) or the mask's ones (sparse). */
  nnz: number;
  /** Payload bytes: ⌈n/8⌉ mask bytes (sparse) + ⌈nnz·bits/8⌉ value bytes. */
  bytes: number;
}

export interface CompressedLayout {
  fileBytes: number;
  /** Fixed header + deflated JSON header. */
  headerBytes: number;
  /** The JSON header before deflate. */
  headerRawBytes: number;
  payloadBytes: number;
  tensors: TensorLayout[];
}

export type ReadCompressed = CompressedModelData & { layout: CompressedLayout };

export class CompressedFormatError extends Error {
  override name = 'CompressedFormatError';
}

/** Payload bytes of one tensor: mask, per-channel exponents (1 byte each), packed values. */
export function tensorBytes(
  encoding: TensorEncoding,
  size: number,
  bits: number,
  nnz: number,
  channels = 0,
): number {
  const mask = encoding === 'sparse' ? Math.ceil(size / 8) : 0;
  return mask + channels + Math.ceil((nnz * bits) / 8);
}
