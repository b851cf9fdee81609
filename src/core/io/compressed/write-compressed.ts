/**
 * Writes a compressed checkpoint (docs/COMPRESSED_FORMAT.md; version 1, or 2 when a tensor has
 * per-channel exponents):
 *   fixed header (20 bytes) · deflated JSON header · tensor payloads (table order) · CRC-32
 * Stored: every parameter of the graph in listParams order, except the running statistics of a
 * batch norm in affine form (eps 0, mean 0, var 1: implied). Quantized parameters (weightQuant)
 * as int codes at their width; the others as float16 when the recipe takes the 16-bit freebie
 * (score/resolve.ts; the values must already be float16 values), else float32. A tensor with a
 * mask that has zeros is stored sparse.
 */
import { deflateSync, strToU8 } from 'fflate';
import { isAffineBatchNorm } from '../../graph/affine-batchnorm';
import type { Graph, GraphNode, Weights } from '../../graph/ir';
import { checkWeights } from '../../graph/network';
import { listParams, type ParamInfo } from '../../graph/params';
import { validateRecipe } from '../../recipe';
import { own, resolveBits } from '../../score/resolve';
import { crc32 } from '../zip-reader';
import {
  COMPRESSED_FORMAT,
  COMPRESSED_MAGIC,
  COMPRESSED_VERSION,
  CRC_BYTES,
  FIXED_HEADER_BYTES,
  tensorColumns,
  type CompressedModelData,
  type TensorLayout,
} from './format';
import { encodeTensor, type EncodedTensor } from './tensor-codec';

/** Parameters the file stores (all but the implied running stats of affine batch norms). */
export function storedParams(graph: Graph, weights: Weights): ParamInfo[] {
  const byName = new Map<string, GraphNode>(graph.nodes.map((n) => [n.name, n]));
  return listParams(graph).filter((p) => {
    if (p.kind !== 'running_mean' && p.kind !== 'running_var') return true;
    return !isAffineBatchNorm(byName.get(p.node)!, weights);
  });
}

/** Float width of unquantized parameters: float16 when the recipe takes the freebie. */
export function floatDtypeOf(data: Pick<CompressedModelData, 'recipe'>): 'float16' | 'float32' {
  return resolveBits(validateRecipe(data.recipe)).freebie ? 'float16' : 'float32';
}

function checkKeys(data: CompressedModelData, stored: ReadonlySet<string>): void {
  for (const k of Object.keys(data.weightQuant)) {
    if (!stored.has(k))
      throw new Error(`writeCompressed: weightQuant names '${k}', not a stored parameter`);
  }
  for (const k of Object.keys(data.masks ?? {})) {
    if (!stored.has(k))
      throw new Error(`writeCompressed: masks names '${k}', not a stored parameter`);
  }
  const layers = new Set(
    data.graph.nodes
      .filter((n) => ['conv2d', 'depthwise2d', 'dense'].includes(n.spec.op))
      .map((n) => n.name),
  );
  for (const k of Object.keys(data.activationQuant)) {
    if (!layers.has(k))
      throw new Error(`writeCompressed: activationQuant names '${k}', not a layer`);
  }
}

/** float32-precision text of a statistic (9 significant digits round-trip a float32). */
function f32(v: number): number {
  if (!Number.isFinite(v)) throw new Error(`writeCompressed: statistic ${v} is not finite`);
  return Number(Math.fround(v).toPrecision(9));
}

/**
 * Version 1 unless a tensor stores per-channel exponents or an activation a zero point (old
 * readers keep reading the rest).
 */
function versionOf(data: CompressedModelData, rows: readonly TensorLayout[]): number {
  const zero = Object.values(data.activationQuant).some((a) => a.zeroPoint !== undefined);
  return zero || rows.some((r) => r.channels > 0) ? COMPRESSED_VERSION : 1;
}

function headerJson(data: CompressedModelData, rows: TensorLayout[], float: string): string {
  const version = versionOf(data, rows);
  const columns = tensorColumns(version);
  const activations = Object.fromEntries(
    Object.entries(data.activationQuant).map(([k, a]) => [
      k,
      [a.bits, a.bp, f32(a.mean), f32(a.std), ...(a.zeroPoint === undefined ? [] : [a.zeroPoint])],
    ]),
  );
  const payloadBytes = rows.reduce((s, r) => s + r.bytes, 0);
  return JSON.stringify({
    format: COMPRESSED_FORMAT,
    version,
    graph: data.graph,
    recipe: data.recipe,
    info: data.info,
    float,
    activations,
    columns,
    tensors: rows.map((r) => columns.map((c) => r[c as keyof TensorLayout])),
    payloadBytes,
  });
}

/** The file's bytes; throws an Error naming the tensor and value for anything it cannot store. */
export function writeCompressed(data: CompressedModelData): Uint8Array {
  checkWeights(data.graph, data.weights);
  const params = storedParams(data.graph, data.weights);
  checkKeys(data, new Set(params.map((p) => p.name)));
  const float = floatDtypeOf(data);
  const encoded: EncodedTensor[] = params.map((p) =>
    encodeTensor(
      p.name,
      data.weights.get(p.name)!,
      own(data.weightQuant, p.name),
      own(data.masks, p.name),
      float,
    ),
  );
  const raw = strToU8(
    headerJson(
      data,
      encoded.map((e) => e.layout),
      float,
    ),
  );
  const header = deflateSync(raw, { level: 9 });
  const payload = encoded.reduce((s, e) => s + e.bytes.length, 0);
  const total = FIXED_HEADER_BYTES + header.length + payload + CRC_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(COMPRESSED_MAGIC, 0);
  view.setUint16(
    4,
    versionOf(
      data,
      encoded.map((e) => e.layout),
    ),
    true,
  );
  view.setUint16(6, 0, true); // flags
  view.setUint32(8, total, true);
  view.setUint32(12, header.length, true);
  view.setUint32(16, raw.length, true);
  out.set(header, FIXED_HEADER_BYTES);
  let at = FIXED_HEADER_BYTES + header.length;
  for (const e of encoded) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}
