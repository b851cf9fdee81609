/**
 * Safe PyTorch checkpoint reader (what `torch.load(f, weights_only=True)` accepts, for
 * state_dicts). Both on-disk formats of torch/serialization.py:
 * - zip (torch ≥ 1.6): <dir>/data.pkl, a pickle whose persistent ids are
 *   ('storage', storage_type, key, location, numel), and <dir>/data/<key> raw storages;
 *   <dir>/byteorder ('little' | 'big'; absent before torch 2.1 = little).
 * - legacy: pickled magic number 0x1950a86a20f9469cfc6c, protocol version 1001, sys_info, the
 *   object (persistent ids ('storage', type, root_key, location, numel, view_metadata)), the
 *   storage keys, then per key an int64 element count and the raw little-endian storage.
 * Pickles go through the allow-listed VM (./pickle-vm.ts, ./torch-globals.ts); the state_dict is
 * located by ./torch-state-dict.ts and its strided views made contiguous by ./torch-tensor.ts.
 */
import { describe, PickleError, PyDict, PyGlobal, PyTuple, type PyValue } from './pickle-values';
import { unpickle, type UnpickleResult } from './pickle-vm';
import { SAFE_DTYPE_BYTES, type SafeTensor } from './safetensors';
import {
  STORAGE_DTYPES,
  TORCH_ALLOW_LIST,
  torchRefusalHint,
  type TorchStorageRef,
  type TorchTensorRef,
} from './torch-globals';
import { locateStateDict, TorchCheckpointError, type StateDictLocation } from './torch-state-dict';
import { materializeTensor, TorchTensorError } from './torch-tensor';
import { readZipDirectory, readZipEntry, ZipError, type ZipEntry } from './zip-reader';

export { TorchCheckpointError };

export type TorchFormat = 'torch-zip' | 'torch-legacy';

export interface TorchCheckpointMeta extends StateDictLocation {
  /** Allow-listed globals the pickle named, in first-use order. */
  globals: string[];
  pickleProtocol: number;
  /** zip: the archive folder and its `version` record. */
  archiveName?: string;
  serializationVersion?: string;
  /** legacy: the `sys_info` record (protocol_version, little_endian, type_sizes). */
  sysInfo?: Record<string, unknown>;
}

export interface TorchCheckpoint {
  format: TorchFormat;
  stateDict: Map<string, SafeTensor>;
  meta: TorchCheckpointMeta;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
/** LEGACY_MAGIC pickled with protocol 2: PROTO 2, LONG1 of 10 bytes, the bytes. */
const LEGACY_PREFIX = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8];

export function isTorchZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export function isTorchLegacy(bytes: Uint8Array): boolean {
  return LEGACY_PREFIX.every((b, i) => bytes[i] === b);
}

function storageDtype(type: PyValue | undefined): TorchStorageRef['dtype'] | undefined {
  return type instanceof PyGlobal && (type.module === 'torch' || type.module === 'torch.cuda')
    ? STORAGE_DTYPES.get(type.name)
    : undefined;
}

/** ('storage', storage_type, key, location, numel[, view_metadata]) → storage reference. */
function storageFromPid(pid: PyValue, legacy: boolean): TorchStorageRef {
  const items = pid instanceof PyTuple ? pid.items : undefined;
  if (items?.[0] === 'module')
    throw new PickleError(
      "persistent id ('module', …) refused: the file pickles a whole nn.Module; save model.state_dict()",
    );
  if (!items || items[0] !== 'storage' || items.length !== (legacy ? 6 : 5))
    throw new PickleError(`persistent id ${describe(pid)} refused (not a storage record)`);
  const [, type, key, location, numel, view] = items;
  const dtype = storageDtype(type);
  if (!dtype) throw new PickleError(`persistent id has storage type ${describe(type!)}`);
  if (typeof key !== 'string') throw new PickleError(`storage key ${describe(key!)} is not a str`);
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
    throw new PickleError(`storage '${key}': bad element count ${describe(numel!)}`);
  const ref: TorchStorageRef = {
    pyType: 'torch.storage',
    key,
    dtype,
    location: typeof location === 'string' ? location : describe(location!),
    numel,
  };
  if (view === undefined || view === null) return ref;
  const [vKey, vOffset, vSize] = view instanceof PyTuple ? view.items : [];
  if (
    typeof vKey !== 'string' ||
    !Number.isSafeInteger(vOffset) ||
    !Number.isSafeInteger(vSize) ||
    (vOffset as number) < 0 ||
    (vSize as number) < 0
  )
    throw new PickleError(`storage '${key}': bad view metadata ${describe(view)}`);
  return { ...ref, view: { key: vKey, offset: vOffset as number, numel: vSize as number } };
}

/** Unpickles the main object; `seen` collects every storage its persistent ids name. */
function unpickleTorch(
  bytes: Uint8Array,
  label: string,
  legacy: boolean,
  seen: TorchStorageRef[],
  start = 0,
): UnpickleResult {
  const persistentLoad = (pid: PyValue): TorchStorageRef => {
    const s = storageFromPid(pid, legacy);
    seen.push(s);
    return s;
  };
  const opts = {
    allowList: TORCH_ALLOW_LIST,
    persistentLoad,
    refusalHint: torchRefusalHint,
    label,
  };
  return unpickle(bytes, opts, start);
}

function materializeAll(
  tensors: Map<string, TorchTensorRef>,
  storageBytes: (s: TorchStorageRef) => Uint8Array,
): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  for (const [name, t] of tensors)
    out.set(name, materializeTensor(name, t, storageBytes(t.storage)));
  return out;
}

function findDataPkl(names: string[]): string {
  if (names.some((n) => /^[^/]+\/(code\/|constants\.pkl$)/.test(n)))
    throw new TorchCheckpointError(
      'a TorchScript archive (torch.jit.save) is not a state_dict checkpoint; save model.state_dict() with torch.save',
    );
  const pkls = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1)
    throw new TorchCheckpointError(
      `the zip holds ${pkls.length} '<dir>/data.pkl' records (need exactly 1): not a PyTorch checkpoint`,
    );
  return pkls[0]!.slice(0, -'data.pkl'.length);
}

async function readZip(bytes: Uint8Array): Promise<TorchCheckpoint> {
  const dir = readZipDirectory(bytes);
  const prefix = findDataPkl([...dir.keys()]);
  const entry = (name: string): ZipEntry | undefined => dir.get(prefix + name);
  const text = async (name: string): Promise<string | undefined> => {
    const e = entry(name);
    return e && new TextDecoder().decode(await readZipEntry(bytes, e)).trim();
  };
  const byteorder = (await text('byteorder')) ?? 'little';
  if (byteorder !== 'little')
    throw new TorchCheckpointError(
      `byteorder '${byteorder}' is not supported (only little-endian)`,
    );
  const pkl = await readZipEntry(bytes, entry('data.pkl')!);
  const res = unpickleTorch(pkl, `${prefix}data.pkl`, false, []);
  const loc = locateStateDict(res.value);
  const storages = new Map<string, Uint8Array>();
  for (const { storage } of loc.tensors.values()) {
    if (storages.has(storage.key)) continue;
    const e = entry(`data/${storage.key}`);
    if (!e)
      throw new TorchCheckpointError(`storage record '${prefix}data/${storage.key}' is missing`);
    storages.set(storage.key, await readZipEntry(bytes, e));
  }
  const meta: TorchCheckpointMeta = {
    ...loc.location,
    globals: res.globals,
    pickleProtocol: res.protocol,
    archiveName: prefix.slice(0, -1),
  };
  const version = await text('version');
  if (version !== undefined) meta.serializationVersion = version;
  const stateDict = materializeAll(loc.tensors, (s) => storages.get(s.key)!);
  return { format: 'torch-zip', stateDict, meta };
}

/** sys_info as plain data: two levels of dicts of scalars (a deeper or cyclic dict is refused). */
function plainDict(v: PyValue, what: string, depth = 0): Record<string, unknown> {
  if (!(v instanceof PyDict) || depth > 1)
    throw new TorchCheckpointError(`${what} is ${describe(v)}, not a dict of scalars`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of v.map)
    out[String(k)] = x instanceof PyDict ? plainDict(x, what, depth + 1) : x;
  return out;
}

/** Legacy raw section: per storage key, an int64 element count and the elements. */
function readLegacyStorages(
  bytes: Uint8Array,
  start: number,
  keys: PyValue,
  roots: Map<string, TorchStorageRef>,
): Map<string, Uint8Array> {
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
    throw new TorchCheckpointError(`the storage key list is ${describe(keys)}, not a list of str`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Uint8Array>();
  let pos = start;
  for (const key of keys as string[]) {
    const root = roots.get(key);
    if (!root) throw new TorchCheckpointError(`storage '${key}' is listed but never referenced`);
    const len = root.numel * SAFE_DTYPE_BYTES[root.dtype];
    if (pos + 8 + len > bytes.length)
      throw new TorchCheckpointError(
        `truncated file at byte ${bytes.length}: storage '${key}' needs 8 + ${len} bytes at byte ${pos}`,
      );
    const numel = dv.getBigInt64(pos, true);
    if (numel !== BigInt(root.numel))
      throw new TorchCheckpointError(
        `storage '${key}' holds ${numel} elements in the file, the pickle says ${root.numel}`,
      );
    out.set(key, bytes.subarray(pos + 8, pos + 8 + len));
    pos += 8 + len;
  }
  return out;
}

function readLegacy(bytes: Uint8Array): TorchCheckpoint {
  const header = { allowList: new Map(), label: 'legacy header' };
  const magic = unpickle(bytes, header, 0);
  if (magic.value !== LEGACY_MAGIC) throw new TorchCheckpointError('bad legacy magic number');
  const proto = unpickle(bytes, header, magic.end);
  if (proto.value !== LEGACY_PROTOCOL)
    throw new TorchCheckpointError(
      `legacy protocol version ${describe(proto.value)} (expected ${LEGACY_PROTOCOL})`,
    );
  const sys = unpickle(bytes, header, proto.end);
  const sysInfo = plainDict(sys.value, 'sys_info');
  if (sysInfo.little_endian !== true)
    throw new TorchCheckpointError('big-endian checkpoint (sys_info.little_endian is not True)');
  const seen: TorchStorageRef[] = [];
  const res = unpickleTorch(bytes, 'legacy pickle', true, seen, sys.end);
  const keys = unpickle(bytes, { ...header, label: 'legacy storage keys' }, res.end);
  const loc = locateStateDict(res.value);
  const roots = new Map<string, TorchStorageRef>();
  for (const s of seen) if (!roots.has(s.key)) roots.set(s.key, s);
  const raw = readLegacyStorages(bytes, keys.end, keys.value, roots);
  const stateDict = materializeAll(loc.tensors, (s) => {
    const b = raw.get(s.key);
    if (!b) throw new TorchCheckpointError(`storage '${s.key}' is not in the file's storage list`);
    return b;
  });
  const meta = { ...loc.location, globals: res.globals, pickleProtocol: res.protocol, sysInfo };
  return { format: 'torch-legacy', stateDict, meta };
}

/** Reads a PyTorch checkpoint (zip or legacy, sniffed from the bytes) into its state_dict. */
export async function readTorchCheckpoint(
  bytes: Uint8Array,
  fileName = 'checkpoint',
): Promise<TorchCheckpoint> {
  try {
    if (isTorchZip(bytes)) return await readZip(bytes);
    if (isTorchLegacy(bytes)) return readLegacy(bytes);
  } catch (e) {
    const known = [PickleError, ZipError, TorchTensorError, TorchCheckpointError];
    if (known.some((k) => e instanceof k))
      throw new TorchCheckpointError(`${fileName}: ${(e as Error).message}`, { cause: e });
    throw e;
  }
  throw new TorchCheckpointError(
    `${fileName}: not a PyTorch checkpoint (neither a zip archive nor the legacy magic number)`,
  );
}
