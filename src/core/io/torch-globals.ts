/**
 * The allow-list of Python globals a PyTorch state_dict checkpoint may name — the tensor subset of
 * torch's `weights_only=True` unpickler (torch/_weights_only_unpickler.py): collections.OrderedDict,
 * torch._utils._rebuild_tensor(_v2) / _rebuild_parameter(_with_state), the typed storage classes
 * (also as torch.cuda.*, as very old legacy files name them), torch.Size and the dtypes. Each maps to a pure JS constructor of an inert record; a tensor is a
 * TorchTensorRef (storage reference + offset + shape + stride) whose bytes are read later.
 */
import {
  asSafeInt,
  describe,
  isPyOpaque,
  PickleError,
  PyDict,
  PyTuple,
  sequenceItems,
  type AllowedGlobal,
  type PyOpaque,
  type PyValue,
} from './pickle-values';
import type { SafeDtype } from './safetensors';

export interface TorchStorageRef extends PyOpaque {
  readonly pyType: 'torch.storage';
  readonly key: string;
  readonly dtype: SafeDtype;
  readonly location: string;
  /** Elements of the root storage. */
  readonly numel: number;
  /** Legacy format only: a view of `numel` elements starting `offset` elements into the root. */
  readonly view?: { readonly key: string; readonly offset: number; readonly numel: number };
}

export interface TorchTensorRef extends PyOpaque {
  readonly pyType: 'torch.Tensor';
  readonly storage: TorchStorageRef;
  /** In elements of the storage (view). */
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly requiresGrad: boolean;
  readonly parameter: boolean;
}

/** torch.<Name>Storage → element dtype (UntypedStorage holds bytes). */
export const STORAGE_DTYPES: ReadonlyMap<string, SafeDtype> = new Map<string, SafeDtype>([
  ['FloatStorage', 'F32'],
  ['DoubleStorage', 'F64'],
  ['HalfStorage', 'F16'],
  ['BFloat16Storage', 'BF16'],
  ['LongStorage', 'I64'],
  ['IntStorage', 'I32'],
  ['ShortStorage', 'I16'],
  ['CharStorage', 'I8'],
  ['ByteStorage', 'U8'],
  ['BoolStorage', 'BOOL'],
  ['UntypedStorage', 'U8'],
]);

const TORCH_DTYPES: ReadonlyMap<string, SafeDtype> = new Map<string, SafeDtype>([
  ['float32', 'F32'],
  ['float', 'F32'],
  ['float64', 'F64'],
  ['double', 'F64'],
  ['float16', 'F16'],
  ['half', 'F16'],
  ['bfloat16', 'BF16'],
  ['int64', 'I64'],
  ['long', 'I64'],
  ['int32', 'I32'],
  ['int', 'I32'],
  ['int16', 'I16'],
  ['short', 'I16'],
  ['int8', 'I8'],
  ['uint8', 'U8'],
  ['bool', 'BOOL'],
]);

export function isTensorRef(v: PyValue): v is TorchTensorRef {
  return isPyOpaque(v) && v.pyType === 'torch.Tensor';
}

function isStorageRef(v: PyValue): v is TorchStorageRef {
  return isPyOpaque(v) && v.pyType === 'torch.storage';
}

function arity(fn: string, args: readonly PyValue[], min: number, max: number): void {
  if (args.length < min || args.length > max)
    throw new PickleError(`${fn} takes ${min}–${max} arguments, got ${args.length}`);
}

/** A tuple / list / torch.Size of non-negative safe integers. */
export function intTuple(v: PyValue, what: string): number[] {
  const items = sequenceItems(v);
  const out = items?.map((x) => asSafeInt(x));
  if (!out || !out.every((x): x is number => x !== undefined && x >= 0))
    throw new PickleError(`${what} must be a tuple of non-negative ints, got ${describe(v)}`);
  return out;
}

function checkHooks(fn: string, hooks: PyValue | undefined): void {
  if (hooks === undefined || hooks === null) return;
  if (!(hooks instanceof PyDict) || hooks.map.size > 0)
    throw new PickleError(`${fn}: backward hooks ${describe(hooks)} are not supported`);
}

/** _rebuild_tensor(storage, offset, size, stride) and _rebuild_tensor_v2(…, requires_grad, hooks[, metadata]). */
function rebuildTensor(fn: string, args: readonly PyValue[], max: number): TorchTensorRef {
  arity(fn, args, 4, max);
  const [storage, offset, size, stride, requiresGrad, hooks] = args;
  if (!isStorageRef(storage!))
    throw new PickleError(`${fn}: first argument must be a storage, got ${describe(storage!)}`);
  const off = asSafeInt(offset!);
  if (off === undefined || off < 0)
    throw new PickleError(
      `${fn}: storage offset must be a non-negative int, got ${describe(offset!)}`,
    );
  const shape = intTuple(size!, `${fn}: size`);
  const strides = intTuple(stride!, `${fn}: stride`);
  if (shape.length !== strides.length)
    throw new PickleError(
      `${fn}: size [${shape.join(',')}] and stride [${strides.join(',')}] differ in rank`,
    );
  if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean')
    throw new PickleError(`${fn}: requires_grad must be a bool, got ${describe(requiresGrad)}`);
  checkHooks(fn, hooks);
  return {
    pyType: 'torch.Tensor',
    storage,
    offset: off,
    shape,
    stride: strides,
    requiresGrad: requiresGrad === true,
    parameter: false,
  };
}

/** _rebuild_parameter(data, requires_grad, hooks) / _rebuild_parameter_with_state(…, state). */
function rebuildParameter(fn: string, args: readonly PyValue[], n: number): TorchTensorRef {
  arity(fn, args, n, n);
  const [data, requiresGrad, hooks] = args;
  if (!isTensorRef(data!))
    throw new PickleError(`${fn}: data must be a tensor, got ${describe(data!)}`);
  if (typeof requiresGrad !== 'boolean')
    throw new PickleError(`${fn}: requires_grad must be a bool, got ${describe(requiresGrad!)}`);
  checkHooks(fn, hooks);
  return { ...data, requiresGrad, parameter: true };
}

function orderedDict(args: readonly PyValue[]): PyDict {
  const d = new PyDict('collections.OrderedDict');
  if (args.length === 0) return d;
  const pairs = args.length === 1 ? sequenceItems(args[0]!) : undefined;
  if (!pairs)
    throw new PickleError(`OrderedDict(${args.map(describe).join(', ')}) is not supported`);
  for (const p of pairs) {
    const kv = sequenceItems(p);
    const k = kv?.[0];
    if (kv?.length !== 2 || typeof k !== 'string')
      throw new PickleError(`OrderedDict item ${describe(p)} is not a (str, value) pair`);
    d.map.set(k, kv[1]!);
  }
  return d;
}

function buildAllowList(): Map<string, AllowedGlobal> {
  const m = new Map<string, AllowedGlobal>();
  m.set('collections.OrderedDict', { call: orderedDict });
  const u = 'torch._utils.';
  m.set(`${u}_rebuild_tensor`, { call: (a) => rebuildTensor('_rebuild_tensor', a, 4) });
  m.set(`${u}_rebuild_tensor_v2`, { call: (a) => rebuildTensor('_rebuild_tensor_v2', a, 7) });
  m.set(`${u}_rebuild_parameter`, { call: (a) => rebuildParameter('_rebuild_parameter', a, 3) });
  m.set(`${u}_rebuild_parameter_with_state`, {
    call: (a) => rebuildParameter('_rebuild_parameter_with_state', a, 4),
  });
  for (const [name, dtype] of STORAGE_DTYPES) {
    m.set(`torch.${name}`, { data: dtype });
    m.set(`torch.cuda.${name}`, { data: dtype }); // old legacy files saved from the GPU
  }
  for (const [name, dtype] of TORCH_DTYPES) m.set(`torch.${name}`, { data: dtype });
  m.set('torch.Size', {
    call: (a) => {
      arity('torch.Size', a, 0, 1);
      return new PyTuple(a.length === 0 ? [] : intTuple(a[0]!, 'torch.Size'));
    },
  });
  return m;
}

/** `module.name` → behaviour, for the pickle VM. */
export const TORCH_ALLOW_LIST: ReadonlyMap<string, AllowedGlobal> = buildAllowList();

/** Why a refused global cannot be loaded, when that is useful to say. */
export function torchRefusalHint(qualname: string): string | undefined {
  if (/^torch\.\w+Storage$/.test(qualname)) return 'unsupported storage dtype';
  if (qualname.startsWith('torch._utils._rebuild_'))
    return 'only dense tensors can be loaded (no quantized, sparse or nested tensors)';
  if (qualname.startsWith('__torch__.')) return 'TorchScript objects are not supported';
  if (/^torch\.[a-z0-9]+$/.test(qualname)) return 'unsupported dtype or torch object';
  return 'a checkpoint may hold only tensors, state_dicts and plain containers; save model.state_dict()';
}
