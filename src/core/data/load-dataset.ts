/**
 * Loading CIFAR-100 from what a user drops or fetches: cifar-100-binary.tar.gz, the same as .tar,
 * or bare train.bin / test.bin (also gzipped). The format is sniffed from the first bytes (gzip
 * magic 1f 8b; a tar header with a valid checksum; else a .bin whose first record has plausible
 * labels). gzip is inflated by the platform's `DecompressionStream('gzip')` (browsers, Node ≥ 18);
 * records are parsed while the bytes stream in, straight into preallocated arrays. Progress counts
 * the bytes read from the input (compressed bytes for .gz).
 */
import {
  ChunkReader,
  ProgressMeter,
  abortError,
  hexHead,
  isAbortError,
  throwIfAborted,
} from './byte-source';
import { RecordAssembler } from './cifar-records';
import { COARSE_LABEL_NAMES, FINE_LABEL_NAMES, parseLabelNames } from './label-names';
import { type TarSink, collectSink, looksLikeTarHeader, readTar } from './tar-reader';
import {
  type CifarDataset,
  type CifarSplit,
  DataError,
  type LoadProgress,
  NUM_COARSE,
  NUM_FINE,
} from './types';

export interface LoadOptions {
  /** Input size in bytes (file size, Content-Length) when known: enables the ETA. */
  totalBytes: number | null;
  /** Shown in errors; for a bare .bin, `train*` / `test*` names choose the split. */
  fileName: string;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

/** What one input contributes to a dataset. */
interface LoadedPart {
  train?: CifarSplit;
  test?: CifarSplit;
  fineNames?: string[];
  coarseNames?: string[];
}

const TRAIN_RECORDS = 50_000;
const TEST_RECORDS = 10_000;
const MAX_LISTED = 20;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Loads one file (tar.gz, tar, .bin or .bin.gz) into a dataset. */
export async function loadCifarFromStream(
  stream: ReadableStream<Uint8Array>,
  opts: LoadOptions,
): Promise<CifarDataset> {
  const meter = new ProgressMeter(opts.totalBytes, opts.onProgress);
  const part = await loadOne(stream, opts.fileName, opts.totalBytes, meter, opts.signal);
  meter.finish();
  return complete(part, [opts.fileName]);
}

export interface DroppedFile {
  name: string;
  stream: ReadableStream<Uint8Array>;
  /** Bytes, or null when unknown. */
  size: number | null;
}

/**
 * Loads several files (e.g. train.bin + test.bin, optionally the two *_label_names.txt) one after
 * the other and merges them; progress runs over the total of their sizes.
 */
export async function loadCifarFromFiles(
  files: DroppedFile[],
  opts: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {},
): Promise<CifarDataset> {
  if (files.length === 0) throw new DataError('no files given');
  const sizes = files.map((f) => f.size);
  const total = sizes.every((s) => s !== null)
    ? (sizes as number[]).reduce((a, b) => a + b, 0)
    : null;
  const meter = new ProgressMeter(total, opts.onProgress);
  const merged: LoadedPart = {};
  const from: Record<string, string> = {};
  for (const f of files) {
    const part = await loadOne(f.stream, f.name, f.size, meter, opts.signal);
    for (const key of ['train', 'test', 'fineNames', 'coarseNames'] as const) {
      if (part[key] === undefined) continue;
      if (merged[key] !== undefined) {
        throw new DataError(`both ${from[key]} and ${f.name} give the ${key} data`);
      }
      (merged as Record<string, unknown>)[key] = part[key];
      from[key] = f.name;
    }
  }
  meter.finish();
  return complete(
    merged,
    files.map((f) => f.name),
  );
}

function complete(part: LoadedPart, names: string[]): CifarDataset {
  if (!part.train && !part.test) {
    throw new DataError(`no CIFAR-100 records in ${names.join(', ')}`);
  }
  const ds: CifarDataset = {
    fineNames: part.fineNames ?? [...FINE_LABEL_NAMES],
    coarseNames: part.coarseNames ?? [...COARSE_LABEL_NAMES],
  };
  if (part.train) ds.train = part.train;
  if (part.test) ds.test = part.test;
  return ds;
}

async function loadOne(
  stream: ReadableStream<Uint8Array>,
  fileName: string,
  totalBytes: number | null,
  meter: ProgressMeter,
  signal: AbortSignal | undefined,
): Promise<LoadedPart> {
  throwIfAborted(signal);
  const reader = stream.getReader();
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  let ok = false;
  try {
    const raw = new ChunkReader(async () => {
      throwIfAborted(signal);
      const { done, value } = await reader.read();
      throwIfAborted(signal);
      if (done) return null;
      meter.add(value.length);
      return value;
    });
    const out = await loadSniffed(raw, fileName, totalBytes, signal);
    ok = true;
    return out;
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (!ok) cancel();
  }
}

async function loadSniffed(
  input: ChunkReader,
  fileName: string,
  totalBytes: number | null,
  signal: AbortSignal | undefined,
): Promise<LoadedPart> {
  const head = await input.peek(512);
  if (head.length === 0) throw new DataError(`${fileName} is empty`);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return loadSniffed(gunzip(input, fileName, signal), fileName, null, signal);
  }
  if (head.length === 512 && looksLikeTarHeader(head)) return loadTar(input, fileName);
  const name = baseName(fileName);
  if (/\.txt$/i.test(name) && /label_names/i.test(name)) return loadNamesFile(input, name);
  // A .bin is read as records whatever its first bytes: a label out of range is then reported
  // with its record and value (cifar-records.ts) instead of "not a CIFAR-100 .bin".
  const labelsFit = head.length >= 2 && head[0]! < NUM_COARSE && head[1]! < NUM_FINE;
  if (labelsFit || /\.bin$/i.test(name)) return loadBin(input, fileName, totalBytes);
  throw new DataError(
    `${fileName}: not a gzip, tar or CIFAR-100 .bin file (first bytes: ${hexHead(head)})`,
  );
}

/** Wraps gzip-compressed chunks into a reader of inflated chunks; inflate errors → DataError. */
function gunzip(input: ChunkReader, fileName: string, signal?: AbortSignal): ChunkReader {
  const inflated = input
    .toStream(async () => undefined)
    .pipeThrough(new DecompressionStream('gzip') as ReadableWritablePair<Uint8Array, Uint8Array>)
    .getReader();
  return new ChunkReader(async () => {
    try {
      const { done, value } = await inflated.read();
      return done ? null : value;
    } catch (e) {
      if (signal?.aborted) throw abortError();
      if (e instanceof DataError || isAbortError(e)) throw e;
      inflated.cancel().catch(() => undefined);
      const msg = e instanceof Error ? e.message : String(e);
      throw new DataError(`${fileName}: gzip data is truncated or corrupt (${msg})`);
    }
  });
}

async function loadTar(input: ChunkReader, fileName: string): Promise<LoadedPart> {
  const asm: Record<'train' | 'test', RecordAssembler | null> = { train: null, test: null };
  const texts: Record<'fine' | 'coarse', string | null> = { fine: null, coarse: null };
  const found: string[] = [];
  const text = (key: 'fine' | 'coarse', size: number): TarSink =>
    collectSink(size, (b) => (texts[key] = new TextDecoder().decode(b)));
  await readTar(input, (e) => {
    found.push(e.name);
    const base = baseName(e.name);
    const split = base === 'train.bin' ? 'train' : base === 'test.bin' ? 'test' : null;
    if (split) {
      if (asm[split]) throw new DataError(`${fileName}: two ${base} members in the tar`);
      const a = new RecordAssembler(e.name, e.size);
      asm[split] = a;
      return { write: (c) => a.push(c) };
    }
    if (base === 'fine_label_names.txt') return text('fine', e.size);
    if (base === 'coarse_label_names.txt') return text('coarse', e.size);
    return null;
  });
  const missing = (['train', 'test'] as const).filter((k) => !asm[k]).map((k) => `${k}.bin`);
  if (missing.length > 0) {
    const list = found.slice(0, MAX_LISTED).join(', ') + (found.length > MAX_LISTED ? ', …' : '');
    throw new DataError(
      `${fileName}: the tar has no ${missing.join(' and no ')}; members found: ${list || 'none'}`,
    );
  }
  const part: LoadedPart = { train: asm.train!.finish(), test: asm.test!.finish() };
  if (texts.fine !== null) part.fineNames = checkNames(texts.fine, NUM_FINE, 'fine');
  if (texts.coarse !== null) part.coarseNames = checkNames(texts.coarse, NUM_COARSE, 'coarse');
  return part;
}

function checkNames(text: string, expected: number, kind: string): string[] {
  const names = parseLabelNames(text);
  if (names.length !== expected) {
    throw new DataError(`${kind}_label_names.txt has ${names.length} names, expected ${expected}`);
  }
  return names;
}

async function loadNamesFile(input: ChunkReader, name: string): Promise<LoadedPart> {
  const chunks: Uint8Array[] = [];
  for await (const c of input) chunks.push(c);
  const text = new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
  if (/coarse/i.test(name)) return { coarseNames: checkNames(text, NUM_COARSE, 'coarse') };
  return { fineNames: checkNames(text, NUM_FINE, 'fine') };
}

async function loadBin(
  input: ChunkReader,
  fileName: string,
  totalBytes: number | null,
): Promise<LoadedPart> {
  const asm = new RecordAssembler(fileName, totalBytes);
  for await (const c of input) asm.push(c);
  const split = asm.finish();
  const name = baseName(fileName).toLowerCase();
  if (name.startsWith('train')) return { train: split };
  if (name.startsWith('test')) return { test: split };
  if (split.count === TRAIN_RECORDS) return { train: split };
  if (split.count === TEST_RECORDS) return { test: split };
  throw new DataError(
    `${fileName}: ${split.count} records, cannot tell train from test; ` +
      'name the file train*.bin or test*.bin',
  );
}
