/**
 * PyTorch state_dict ↔ lab Weights. Layouts: conv OIHW ↔ HWIO, depthwise [C,1,kh,kw] ↔
 * [kh,kw,C,1], Linear [out,in] ↔ [in,out]; vectors unchanged. Every graph parameter must be
 * present with the PyTorch shape; `num_batches_tracked` is ignored; a DataParallel `module.`
 * prefix is stripped. Two import-only reductions (see torch-import-extras.ts):
 * - ghost batch norm (Hoffer et al. 2017) keeps k copies of its running statistics, [k·C]; they
 *   are reduced to [C] by their mean, which is what the reference's train→eval hook computes;
 * - a pruning mask `<layer>.mask` (0/1, the weight's shape) is applied: weight ← weight · mask,
 *   as a masked layer's forward does.
 */
import type { Graph, Weights } from '../graph/ir';
import { GraphError } from '../graph/graph-error';
import { listParams, sizeOf, type ParamInfo } from '../graph/params';
import type { SafeTensor } from './safetensors';
import {
  applyMask,
  ghostCopies,
  maskedWeightName,
  readMasks,
  reduceGhostStats,
} from './torch-import-extras';

/** Shape the parameter has in a PyTorch state_dict. */
export function torchShape(p: ParamInfo): number[] {
  if (p.kind !== 'weight' || p.shape.length === 1) return [...p.shape];
  if (p.op === 'dense') return [p.shape[1]!, p.shape[0]!];
  const [kh, kw, i, o] = p.shape as [number, number, number, number];
  return p.op === 'depthwise2d' ? [i, 1, kh, kw] : [o, i, kh, kw];
}

/** [a, b, c, d] row-major → permuted by `perm` (output axis j reads input axis perm[j]). */
function permute(src: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((a) => shape[a]!);
  const strides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
  const ps = perm.map((a) => strides[a]!);
  const out = new Float32Array(src.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let j = 0; j < idx.length; j++) s += idx[j]! * ps[j]!;
    out[o] = src[s]!;
    for (let j = idx.length - 1; j >= 0; j--) {
      if (++idx[j]! < outShape[j]!) break;
      idx[j] = 0;
    }
  }
  return out;
}

/** Permutation from the torch layout to the tfjs layout of `p` (null = identity). */
function torchToTf(p: ParamInfo): number[] | null {
  if (p.kind !== 'weight' || p.shape.length === 1) return null;
  if (p.op === 'dense') return [1, 0];
  return p.op === 'depthwise2d' ? [2, 3, 0, 1] : [2, 3, 1, 0]; // [C,1,kh,kw] → [kh,kw,C,1]; OIHW → HWIO
}

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((a, j) => (inv[a] = j));
  return inv;
}

function toFloat32(t: SafeTensor): Float32Array | null {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  return null;
}

function stripModulePrefix(sd: ReadonlyMap<string, SafeTensor>): ReadonlyMap<string, SafeTensor> {
  const keys = [...sd.keys()];
  if (keys.length === 0 || !keys.every((k) => k.startsWith('module.'))) return sd;
  return new Map([...sd].map(([k, v]) => [k.slice('module.'.length), v]));
}

export interface TorchImportOptions {
  /** Reject state_dict keys that match no graph parameter (default true; num_batches_tracked and pruning masks of graph weights are always allowed). */
  strict?: boolean;
}

/** One parameter in the tfjs layout (fresh array), or a problem description. */
function importParam(p: ParamInfo, t: SafeTensor, mask?: Float32Array): Float32Array | string {
  const want = torchShape(p);
  const copies = ghostCopies(p, t.shape);
  if (copies === 1 && t.shape.join() !== want.join())
    return `'${p.name}' has shape [${t.shape.join(',')}], expected [${want.join(',')}]`;
  const data = toFloat32(t);
  if (!data) return `'${p.name}' has non-float dtype ${t.dtype}`;
  if (copies > 1) return reduceGhostStats(data, copies);
  const masked = mask ? applyMask(data, mask) : data;
  const perm = torchToTf(p);
  if (perm) return permute(masked, want, perm);
  return masked === t.data ? masked.slice() : masked;
}

/** Converts a PyTorch state_dict to Weights for `graph`; throws listing the first mismatches. */
export function torchStateDictToWeights(
  graph: Graph,
  stateDict: ReadonlyMap<string, SafeTensor>,
  opts: TorchImportOptions = {},
): Weights {
  const sd = stripModulePrefix(stateDict);
  const params = listParams(graph);
  const problems: string[] = [];
  const weightShapes = new Map(
    params.filter((p) => p.kind === 'weight').map((p) => [p.name, torchShape(p)]),
  );
  const masks = readMasks(weightShapes, sd, problems);
  const weights: Weights = new Map();
  for (const p of params) {
    const t = sd.get(p.name);
    const data = t
      ? importParam(p, t, masks.get(p.name))
      : `missing '${p.name}' [${torchShape(p).join(',')}]`;
    if (typeof data === 'string') problems.push(data);
    else weights.set(p.name, { shape: [...p.shape], data });
  }
  if (opts.strict ?? true) {
    const known = new Set(params.map((p) => p.name));
    for (const k of sd.keys()) {
      if (!known.has(k) && !k.endsWith('.num_batches_tracked') && !known.has(maskedWeightName(k)))
        problems.push(`unexpected '${k}'`);
    }
  }
  if (problems.length > 0) {
    throw new GraphError(
      `state_dict does not fit graph '${graph.name}': ${problems.length} problem(s): ${problems.slice(0, 5).join('; ')}`,
    );
  }
  return weights;
}

/** Weights → PyTorch state_dict (F32, torch layouts) plus int64 num_batches_tracked = 0 per BN. */
export function weightsToTorchStateDict(graph: Graph, weights: Weights): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  for (const p of listParams(graph)) {
    const w = weights.get(p.name);
    if (!w || w.shape.join() !== p.shape.join()) {
      throw new GraphError(`weights lack '${p.name}' with shape [${p.shape.join(',')}]`);
    }
    const perm = torchToTf(p);
    const data = perm ? permute(w.data, p.shape, inverse(perm)) : w.data.slice();
    out.set(p.name, { dtype: 'F32', shape: torchShape(p), data });
    if (p.kind === 'running_var') {
      out.set(`${p.node}.num_batches_tracked`, {
        dtype: 'I64',
        shape: [],
        data: new BigInt64Array(1),
      });
    }
  }
  return out;
}
