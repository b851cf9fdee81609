/**
 * The worker's checkpoint import / export. Import reads a file or URL (with byte progress and
 * cancel), parses it with core's safe reader (safetensors, MicroNet Lab, PyTorch zip / legacy;
 * pickles run in an allow-listed VM, nothing executes), summarises its tensors, recognises the
 * zoo architecture from names + shapes (or takes the lab checkpoint's graph) and makes the built
 * network the current one. Any failure leaves the previous network current. Export writes the
 * current network as a lab checkpoint (safetensors with the graph in its metadata).
 */
import { Network } from '../core/graph/network';
import { compressionInfo, compressionOf } from '../core/compress/compression-info';
import { isCompressedCheckpoint, readCompressed } from '../core/io/compressed/index';
import { writeLabCheckpoint } from '../core/io/lab-checkpoint';
import {
  modelFromParsedCheckpoint,
  type CheckpointModel,
} from '../core/models/model-from-checkpoint';
import { checkpointSummary, countZeros, readAnyCheckpoint } from '../core/io/read-checkpoint';
import { UnrecognizedError } from '../core/models/recognize';
import type { CurrentNetwork } from './current-network';
import type {
  BackendInfo,
  CheckpointReport,
  ExportResult,
  ImportResult,
  ImportSource,
  JobProgress,
} from './lab-types';

type Report = (p: JobProgress) => void;

/** Refuse anything bigger: the lab's networks are a few MB; this keeps a wrong URL harmless. */
export const MAX_CHECKPOINT_BYTES = 512 * 1024 * 1024;

function abortIfNeeded(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('Import cancelled', 'AbortError');
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Reads a stream into one array, reporting bytes; `total` null when unknown. */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number | null,
  phase: string,
  signal: AbortSignal,
  report: Report,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', onAbort);
  const chunks: Uint8Array[] = [];
  let done = 0;
  const t0 = performance.now();
  try {
    for (;;) {
      const r = await reader.read();
      abortIfNeeded(signal);
      if (r.done) break;
      chunks.push(r.value);
      done += r.value.length;
      if (done > MAX_CHECKPOINT_BYTES)
        throw new Error(`checkpoint is larger than ${MAX_CHECKPOINT_BYTES} bytes; refusing it`);
      const rate = done / Math.max(1e-3, (performance.now() - t0) / 1000);
      const etaSeconds = total === null ? null : Math.max(0, total - done) / rate;
      report({ phase, done, total, unit: 'bytes', etaSeconds });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const out = new Uint8Array(done);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The last path segment of a URL, or the host when the path is empty. */
export function fileNameOfUrl(url: URL): string {
  const last = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  return last || url.host;
}

async function fetchBytes(
  raw: string,
  signal: AbortSignal,
  report: Report,
): Promise<{ name: string; bytes: Uint8Array }> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`only http(s) URLs can be imported, got ${url.protocol}`);
  const name = fileNameOfUrl(url);
  report({ phase: 'connecting', done: 0, total: null, unit: 'bytes', etaSeconds: null });
  let res: Response;
  try {
    res = await fetch(url, { signal, mode: 'cors' });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new Error(
      `could not fetch ${url.href}: ${message(e)} (the server must allow cross-origin requests ` +
        `(CORS), as raw.githubusercontent.com does)`,
    );
  }
  if (!res.ok || !res.body) throw new Error(`could not fetch ${url.href}: HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  if (total !== null && total > MAX_CHECKPOINT_BYTES)
    throw new Error(`${name} is ${total} bytes, more than the ${MAX_CHECKPOINT_BYTES} allowed`);
  return { name, bytes: await readStream(res.body, total, 'downloading', signal, report) };
}

async function sourceBytes(
  src: ImportSource,
  signal: AbortSignal,
  report: Report,
): Promise<{ name: string; bytes: Uint8Array }> {
  if (src.kind === 'url') return fetchBytes(src.url, signal, report);
  const { file } = src;
  if (file.size > MAX_CHECKPOINT_BYTES)
    throw new Error(
      `${file.name} is ${file.size} bytes, more than the ${MAX_CHECKPOINT_BYTES} allowed`,
    );
  const bytes = await readStream(file.stream(), file.size, 'reading', signal, report);
  return { name: file.name, bytes };
}

export class ModelService {
  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
  ) {}

  async importCheckpoint(
    src: ImportSource,
    signal: AbortSignal,
    report: Report,
  ): Promise<ImportResult> {
    const { name, bytes } = await sourceBytes(src, signal, report);
    report({
      phase: 'parsing',
      done: bytes.length,
      total: bytes.length,
      unit: 'bytes',
      etaSeconds: null,
    });
    if (isCompressedCheckpoint(bytes)) {
      return this.importCompressed(bytes, name, src.kind === 'url' ? src.url : name, signal);
    }
    const ck = await readAnyCheckpoint(bytes, name);
    abortIfNeeded(signal);
    const summary = checkpointSummary(ck.tensors);
    const base: CheckpointReport = {
      fileName: name,
      bytes: bytes.length,
      format: ck.format,
      tensorCount: summary.tensorCount,
      params: summary.params,
      zeros: summary.zeros,
      zeroShare: summary.zeroShare,
      table: summary.table,
      architecture: null,
      unrecognized: null,
    };
    let built: CheckpointModel;
    try {
      built = modelFromParsedCheckpoint(ck);
    } catch (e) {
      if (!(e instanceof UnrecognizedError)) throw e;
      return { report: { ...base, unrecognized: e.message }, network: null };
    }
    report({
      phase: 'building the network',
      done: 0,
      total: null,
      unit: 'steps',
      etaSeconds: null,
    });
    await this.ensureBackend();
    abortIfNeeded(signal);
    // A lab checkpoint of a compressed network (its export's twin) runs with its quantizers.
    const compression =
      ck.format === 'micronet-lab' && ck.info
        ? compressionOf(ck.info as Record<string, unknown>, name)
        : null;
    const net = Network.fromWeights(built.graph, built.weights);
    this.current.replace(net, 'imported', src.kind === 'url' ? src.url : name, compression);
    return { report: { ...base, architecture: built.zooName }, network: this.current.info() };
  }

  /**
   * A compressed checkpoint (core/io/compressed): its dequantized weights become the current
   * network, which evaluates with the file's activation quantizers — the exported model exactly.
   */
  private async importCompressed(
    bytes: Uint8Array,
    name: string,
    source: string,
    signal: AbortSignal,
  ): Promise<ImportResult> {
    const d = readCompressed(bytes, name);
    const table = d.layout.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      dtype: t.dtype === 'int' ? `int${t.bits}` : t.dtype,
      zeros: countZeros({ data: d.weights.get(t.name)?.data ?? new Float32Array(0) }),
    }));
    const params = table.reduce((a, r) => a + r.shape.reduce((p, n) => p * n, 1), 0);
    const zeros = table.reduce((a, r) => a + r.zeros, 0);
    const report: CheckpointReport = {
      fileName: name,
      bytes: bytes.length,
      format: 'micronet-compressed',
      tensorCount: table.length,
      params,
      zeros,
      zeroShare: params ? zeros / params : 0,
      table,
      architecture: d.graph.name,
      unrecognized: null,
    };
    await this.ensureBackend();
    abortIfNeeded(signal);
    const net = Network.fromWeights(d.graph, d.weights);
    const compression = { recipe: d.recipe, activationQuant: d.activationQuant };
    this.current.replace(net, 'imported', source, compression);
    return { report, network: this.current.info() };
  }

  /** The current network as a lab checkpoint (bytes for a download). */
  async exportCheckpoint(): Promise<ExportResult> {
    const net = this.current.network;
    const network = this.current.info();
    if (!net || !network)
      throw new Error('no network to export yet: train, evaluate or import one first');
    const weights = await net.toWeightsAsync();
    const compression = this.current.compressed;
    const bytes = writeLabCheckpoint(net.graph, weights, {
      origin: network.origin,
      source: network.source,
      exportedAt: new Date().toISOString(),
      app: 'MicroNet Lab',
      ...(compression ? compressionInfo(compression) : {}),
    });
    return { fileName: `${net.graph.name}.safetensors`, bytes, network };
  }
}
