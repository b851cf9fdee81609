/**
 * One entry point for every checkpoint the lab accepts, recognised from its bytes (never its
 * file name): safetensors (8-byte header length + '{'), a MicroNet Lab checkpoint (safetensors
 * whose metadata carries the graph), a PyTorch zip archive ('PK\x03\x04') or a PyTorch legacy
 * pickle (its pickled magic number), or a MicroNet Lab compressed checkpoint ('MNLC',
 * io/compressed). All of them are read without executing anything.
 */
import type { Graph } from '../graph/ir';
import { graphFromJSON } from '../graph/serialize';
import { isCompressedCheckpoint, readCompressed, type ReadCompressed } from './compressed';
import { CheckpointError, LAB_CHECKPOINT_FORMAT } from './lab-checkpoint';
import {
  readSafetensors,
  SafetensorsError,
  type SafeTensor,
  type SafetensorsFile,
} from './safetensors';
import { weightsToTorchStateDict } from './torch-layout';
import {
  isTorchLegacy,
  isTorchZip,
  readTorchCheckpoint,
  type TorchCheckpointMeta,
} from './torch-checkpoint';

export type CheckpointFormat =
  'safetensors' | 'micronet-lab' | 'torch-zip' | 'torch-legacy' | 'micronet-compressed';

export interface AnyCheckpoint {
  format: CheckpointFormat;
  /** The state_dict: PyTorch names, shapes and layouts. */
  tensors: Map<string, SafeTensor>;
  /** micronet-lab only: the network. */
  graph?: Graph;
  /** micronet-lab: recorded facts; safetensors: its string metadata. */
  info?: Record<string, unknown>;
  /** PyTorch formats: where the state_dict was found, globals used, … */
  torch?: TorchCheckpointMeta;
  /** micronet-compressed: everything the file holds (tensors: its dequantized weights). */
  compressed?: ReadCompressed;
}

function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The format the bytes are in, or null. */
export function sniffCheckpointFormat(
  bytes: Uint8Array,
): 'safetensors' | 'torch-zip' | 'torch-legacy' | null {
  if (isTorchZip(bytes)) return 'torch-zip';
  if (isTorchLegacy(bytes)) return 'torch-legacy';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  return null;
}

/** readSafetensors with the file named in its errors ("model.safetensors: header is …"). */
function readNamedSafetensors(bytes: Uint8Array, fileName: string): SafetensorsFile {
  try {
    return readSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`${fileName}: ${e.message}`);
    throw e;
  }
}

function readSafetensorsCheckpoint(bytes: Uint8Array, fileName: string): AnyCheckpoint {
  const { tensors, metadata } = readNamedSafetensors(bytes, fileName);
  if (metadata?.format !== LAB_CHECKPOINT_FORMAT)
    return metadata
      ? { format: 'safetensors', tensors, info: metadata }
      : { format: 'safetensors', tensors };
  if (metadata.graph === undefined || metadata.version !== '1')
    throw new CheckpointError(
      `${fileName}: lab checkpoint without a graph or with version "${metadata.version}"`,
    );
  let info: Record<string, unknown> = {};
  if (metadata.info !== undefined) {
    try {
      info = JSON.parse(metadata.info) as Record<string, unknown>;
    } catch {
      throw new CheckpointError(`${fileName}: metadata "info" is not valid JSON`);
    }
  }
  return { format: 'micronet-lab', tensors, graph: graphFromJSON(metadata.graph), info };
}

/** Reads any supported checkpoint; throws a clear error for anything else. */
export async function readAnyCheckpoint(
  bytes: Uint8Array,
  fileName = 'checkpoint',
): Promise<AnyCheckpoint> {
  if (isCompressedCheckpoint(bytes)) {
    const c = readCompressed(bytes, fileName);
    const tensors = weightsToTorchStateDict(c.graph, c.weights);
    return { format: 'micronet-compressed', tensors, graph: c.graph, info: c.info, compressed: c };
  }
  const format = sniffCheckpointFormat(bytes);
  if (format === 'safetensors') return readSafetensorsCheckpoint(bytes, fileName);
  if (format === 'torch-zip' || format === 'torch-legacy') {
    const ck = await readTorchCheckpoint(bytes, fileName);
    return { format: ck.format, tensors: ck.stateDict, torch: ck.meta };
  }
  const isPickle = bytes[0] === 0x80;
  throw new CheckpointError(
    `${fileName}: not a recognised checkpoint (first bytes ${hex(bytes)}); expected safetensors, ` +
      `a PyTorch zip archive, a legacy PyTorch file or a MicroNet Lab compressed file` +
      (isPickle ? ' — this is a plain pickle without the PyTorch magic number' : ''),
  );
}

export interface CheckpointSummaryRow {
  name: string;
  shape: number[];
  dtype: SafeTensor['dtype'];
  /** Exact zeros (±0) among the tensor's elements. */
  zeros: number;
}

export interface CheckpointSummary {
  tensorCount: number;
  /** Elements of the learnable tensors: all but BN running statistics, counters and masks. */
  params: number;
  /** Exact zeros among `params`. */
  zeros: number;
  zeroShare: number;
  table: CheckpointSummaryRow[];
}

/** BN running statistics, batch counters and pruning masks are buffers, not parameters. */
export function isBufferName(name: string): boolean {
  return /(^|\.)(running_mean|running_var|num_batches_tracked|mask|weight_mask|bias_mask)$/.test(
    name,
  );
}

/** Exact zeros among a tensor's elements. */
export function countZeros(t: Pick<SafeTensor, 'data'>): number {
  let z = 0;
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (const v of d) if (v === 0n) z++;
  } else for (const v of d) if (v === 0) z++;
  return z;
}

/** Tensor count, parameter count and exact-zero sparsity of a state_dict. */
export function checkpointSummary(tensors: ReadonlyMap<string, SafeTensor>): CheckpointSummary {
  const table: CheckpointSummaryRow[] = [];
  let params = 0;
  let zeros = 0;
  for (const [name, t] of tensors) {
    const row = { name, shape: [...t.shape], dtype: t.dtype, zeros: countZeros(t) };
    table.push(row);
    if (isBufferName(name)) continue;
    params += t.data.length;
    zeros += row.zeros;
  }
  return {
    tensorCount: tensors.size,
    params,
    zeros,
    zeroShare: params ? zeros / params : 0,
    table,
  };
}
