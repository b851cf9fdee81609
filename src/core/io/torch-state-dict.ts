/**
 * Finds the state_dict in an unpickled checkpoint: the top-level dict when all its values are
 * tensors, else a dict of tensors nested under one of the usual keys (STATE_DICT_KEYS), else
 * the tensor entries of a top-level dict that mixes tensors with other values. Reports the key
 * and a one-line summary of the other top-level entries (epoch, accuracy, …).
 */
import { describe, PyDict, type PyValue } from './pickle-values';
import { isTensorRef, type TorchTensorRef } from './torch-globals';

export class TorchCheckpointError extends Error {
  override name = 'TorchCheckpointError';
}

/** Keys under which training scripts commonly nest the state_dict, in search order. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'net'] as const;

export interface StateDictLocation {
  /** Top-level key holding the state_dict; null when the top-level object is the state_dict. */
  stateDictKey: string | null;
  /** Keys of the top-level dict, in file order (empty when it is the state_dict itself). */
  topLevelKeys: string[];
  /** Other top-level entries: scalars as text, containers described (e.g. "dict[2]"). */
  extras: Record<string, string>;
  /** Non-tensor entries left out of a mixed top-level dict. */
  skipped: string[];
}

function tensorEntries(d: PyDict): Map<string, TorchTensorRef> | null {
  const out = new Map<string, TorchTensorRef>();
  for (const [k, v] of d.map) {
    if (typeof k !== 'string' || !isTensorRef(v)) return null;
    out.set(k, v);
  }
  return out.size > 0 ? out : null;
}

function summarize(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  return describe(v);
}

export function locateStateDict(top: PyValue): {
  tensors: Map<string, TorchTensorRef>;
  location: StateDictLocation;
} {
  if (!(top instanceof PyDict))
    throw new TorchCheckpointError(`the checkpoint holds ${describe(top)}, not a dict of tensors`);
  const topLevelKeys = [...top.map.keys()].map(String);
  const direct = tensorEntries(top);
  if (direct)
    return {
      tensors: direct,
      location: { stateDictKey: null, topLevelKeys: [], extras: {}, skipped: [] },
    };
  const extrasWithout = (skip: string) => {
    const extras: Record<string, string> = {};
    for (const [k, v] of top.map) if (k !== skip) extras[String(k)] = summarize(v);
    return extras;
  };
  for (const key of STATE_DICT_KEYS) {
    const v = top.map.get(key);
    const nested = v instanceof PyDict ? tensorEntries(v) : null;
    if (nested)
      return {
        tensors: nested,
        location: { stateDictKey: key, topLevelKeys, extras: extrasWithout(key), skipped: [] },
      };
  }
  const mixed = new Map<string, TorchTensorRef>();
  const skipped: string[] = [];
  const extras: Record<string, string> = {};
  for (const [k, v] of top.map) {
    if (typeof k === 'string' && isTensorRef(v)) mixed.set(k, v);
    else {
      skipped.push(String(k));
      extras[String(k)] = summarize(v);
    }
  }
  if (mixed.size > 0)
    return { tensors: mixed, location: { stateDictKey: null, topLevelKeys, extras, skipped } };
  throw new TorchCheckpointError(
    `no state_dict found: the top-level dict has keys [${topLevelKeys.slice(0, 12).join(', ')}] ` +
      `and none of ${STATE_DICT_KEYS.map((k) => `'${k}'`).join(', ')} holds a dict of tensors`,
  );
}
