/**
 * Plain-data values produced by the pickle VM (./pickle-vm.ts). Python objects map to inert JS
 * data: int → number (or bigint beyond 2^53), float → number, str → string, bytes → Uint8Array,
 * list → array, tuple → PyTuple, dict / OrderedDict → PyDict, set → PySet, an allow-listed global
 * → PyGlobal, and whatever an allow-listed constructor returns → a PyOpaque record. None of these
 * carries behaviour that a pickle could trigger.
 */

export class PickleError extends Error {
  override name = 'PickleError';
}

/** Something an allow-listed constructor built (e.g. a tensor reference); `pyType` names it. */
export interface PyOpaque {
  readonly pyType: string;
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyOpaque;

/** Hashable key types accepted in a PyDict. */
export type PyKey = string | number | bigint | boolean | null;

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

export class PyDict {
  readonly map = new Map<PyKey, PyValue>();
  /** Instance attributes set by BUILD (OrderedDict `_metadata` in torch state_dicts). */
  readonly attrs = new Map<string, PyValue>();
  constructor(readonly pyClass: 'dict' | 'collections.OrderedDict' = 'dict') {}
}

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

/** How an allow-listed global behaves; `call` is a pure constructor of plain data. */
export interface AllowedGlobal {
  /** REDUCE / NEWOBJ / INST / OBJ on the global; absent → the global is a constant, not callable. */
  call?: (args: readonly PyValue[]) => PyValue;
  /** Inert data for the host (e.g. a storage type's dtype). */
  data?: unknown;
}

export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly entry: AllowedGlobal,
  ) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

export function isPyOpaque(v: PyValue): v is PyOpaque {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof PyTuple) &&
    !(v instanceof PyDict) &&
    !(v instanceof PySet) &&
    !(v instanceof PyGlobal) &&
    typeof (v as { pyType?: unknown }).pyType === 'string'
  );
}

/** Short description of a value's type for error messages (never its full content). */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? `int ${v}` : `float ${v}`;
  if (typeof v === 'bigint') return `int ${v}`;
  if (typeof v === 'string') return `str ${JSON.stringify(v.slice(0, 40))}`;
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (Array.isArray(v)) return `list[${v.length}]`;
  if (v instanceof PyTuple) return `tuple[${v.items.length}]`;
  if (v instanceof PyDict) return `${v.pyClass}[${v.map.size}]`;
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  if (v instanceof PyGlobal) return v.qualname;
  return (v as PyOpaque).pyType;
}

/** Tuple or list items; anything else → undefined. */
export function sequenceItems(v: PyValue): readonly PyValue[] | undefined {
  if (v instanceof PyTuple) return v.items;
  if (Array.isArray(v)) return v;
  return undefined;
}

/** Python int as a JS number, or undefined when it is not an int or not a safe integer. */
export function asSafeInt(v: PyValue): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= 9007199254740991n) {
    return Number(v);
  }
  return undefined;
}

function dictKey(k: PyValue): PyKey {
  if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k)) return k as PyKey;
  throw new PickleError(`unsupported dict key ${describe(k)}`);
}

/** SETITEM(S) / DICT: alternating keys and values into a dict. */
export function setItems(target: PyValue, items: readonly PyValue[]): void {
  if (!(target instanceof PyDict)) throw new PickleError(`SETITEM on ${describe(target)}`);
  if (items.length % 2 !== 0)
    throw new PickleError(`odd number of items (${items.length}) for a dict`);
  for (let i = 0; i < items.length; i += 2) target.map.set(dictKey(items[i]!), items[i + 1]!);
}

/** APPEND(S): only onto lists. */
export function appendItems(target: PyValue, items: readonly PyValue[]): void {
  if (!Array.isArray(target)) throw new PickleError(`APPEND on ${describe(target)}`);
  for (const it of items) target.push(it);
}

/** BUILD on a dict: state (or (state, slotstate)) dicts become attributes. */
export function buildDict(inst: PyDict, state: PyValue): void {
  const parts = state instanceof PyTuple ? state.items : [state];
  for (const part of parts) {
    if (part === null) continue;
    if (!(part instanceof PyDict)) throw new PickleError(`BUILD state ${describe(part)} on a dict`);
    for (const [k, v] of part.map) {
      if (typeof k !== 'string') throw new PickleError(`BUILD attribute name ${String(k)}`);
      inst.attrs.set(k, v);
    }
  }
}
