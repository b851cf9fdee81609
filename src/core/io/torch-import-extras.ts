/**
 * Two state_dict conventions that torch-layout.ts folds away on import:
 * - Ghost batch norm (Hoffer, Hubara & Soudry 2017, as in OSI-AI MicroNet): running_mean /
 *   running_var hold k copies of the C statistics, one per ghost batch, as a [k·C] vector. At
 *   eval the reference uses their mean (its train→eval hook averages the copies and tiles the
 *   mean back), so [k·C] → [C] by the mean over the k copies. When the copies are identical (as
 *   in OSI's checkpoint) the float32 mean is exactly the first copy.
 * - Pruning masks: `<layer>.mask`, a 0/1 tensor of the weight's (PyTorch) shape, which a masked
 *   layer multiplies into its weight in forward. Applied on import: weight ← weight · mask.
 */
import type { ParamInfo } from '../graph/params';
import { sizeOf } from '../graph/params';
import type { SafeTensor } from './safetensors';

/** k when `shape` is a BN running statistic stored as k ≥ 2 ghost copies ([k·C]); else 1. */
export function ghostCopies(p: ParamInfo, shape: readonly number[]): number {
  if (p.op !== 'batchnorm' || (p.kind !== 'running_mean' && p.kind !== 'running_var')) return 1;
  const c = p.shape[0]!;
  if (shape.length !== 1 || shape[0]! <= c || shape[0]! % c !== 0) return 1;
  return shape[0]! / c;
}

/** [k·C] → [C]: out[c] = mean over j of data[j·C + c], rounded once to float32. */
export function reduceGhostStats(data: Float32Array, copies: number): Float32Array {
  const c = data.length / copies;
  const out = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    let sum = 0;
    for (let j = 0; j < copies; j++) sum += data[j * c + i]!;
    out[i] = sum / copies;
  }
  return out;
}

/** `<layer>.mask` → `<layer>.weight`; '' for other keys. */
export function maskedWeightName(key: string): string {
  return key.endsWith('.mask') ? `${key.slice(0, -'.mask'.length)}.weight` : '';
}

/** weight · mask, elementwise (same layout). */
export function applyMask(weight: Float32Array, mask: Float32Array): Float32Array {
  const out = new Float32Array(weight.length);
  for (let i = 0; i < weight.length; i++) out[i] = weight[i]! * mask[i]!;
  return out;
}

function maskProblem(key: string, t: SafeTensor, want: number[]): string | null {
  if (t.shape.join() !== want.join())
    return `mask '${key}' has shape [${t.shape.join(',')}], expected [${want.join(',')}]`;
  if (!(t.data instanceof Float32Array) && !(t.data instanceof Uint8Array))
    return `mask '${key}' has dtype ${t.dtype}, expected F32 or BOOL`;
  if (t.data.length !== sizeOf(want)) return `mask '${key}' has ${t.data.length} values`;
  const bad = Array.from(t.data).findIndex((v) => v !== 0 && v !== 1);
  return bad < 0 ? null : `mask '${key}' holds ${t.data[bad]} at ${bad}, expected 0 or 1`;
}

/**
 * Masks of graph weights (`weightShapes`: weight name → PyTorch shape), by weight name, as
 * float32 0/1 in the PyTorch layout. Masks of layers the graph lacks are left to the caller's
 * unexpected-key check; bad masks are added to `problems`.
 */
export function readMasks(
  weightShapes: ReadonlyMap<string, number[]>,
  sd: ReadonlyMap<string, SafeTensor>,
  problems: string[],
): Map<string, Float32Array> {
  const masks = new Map<string, Float32Array>();
  for (const [key, t] of sd) {
    const name = maskedWeightName(key);
    const want = weightShapes.get(name);
    if (!want) continue;
    const problem = maskProblem(key, t, want);
    if (problem) problems.push(problem);
    else masks.set(name, Float32Array.from(t.data as Float32Array | Uint8Array));
  }
  return masks;
}
