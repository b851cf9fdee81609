/**
 * `inspect <file>`: what the file is. CIFAR-100 data (.bin, .tar, .tar.gz) → record counts and
 * per-class counts per split; a checkpoint (PyTorch .pth/.pt, safetensors, lab file) → format, tensor
 * count, parameter count and share of exact zeros. A compressed checkpoint adds its recipe,
 * `layers: [{ name, op, bytes, tensors: [{ name, shape, encoding, dtype, bits, bp, nnz, bytes }] }]`
 * and `totals` (file / header / payload bytes, stored values, activation quantizers, and
 * `storageBytes`: the parameter storage the score counts for it).
 */
import fs from 'node:fs';
import type { CifarSplit } from '../../core/data/types';
import { NUM_COARSE, NUM_FINE } from '../../core/data/types';
import { countParams } from '../../core/graph/params';
import {
  checkpointSummary,
  readAnyCheckpoint,
  type AnyCheckpoint,
} from '../../core/io/read-checkpoint';
import { recognizeArchitecture } from '../../core/models/recognize';
import { scoreCompressed } from '../../core/compress/compressed-model';
import {
  isCompressedCheckpoint,
  type ReadCompressed,
  type TensorLayout,
} from '../../core/io/compressed';
import { UsageError, type ParsedArgs } from '../args';
import { loadDataset } from '../node-files';

function classCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

function splitSummary(split: CifarSplit | undefined): Record<string, unknown> | undefined {
  if (!split) return undefined;
  return {
    records: split.count,
    fineCounts: classCounts(split.fine, NUM_FINE),
    coarseCounts: classCounts(split.coarse, NUM_COARSE),
  };
}

/** Checkpoint formats are told by their first bytes: compressed, PyTorch zip, legacy pickle, safetensors. */
function looksLikeCheckpoint(head: Uint8Array, size: number): boolean {
  if (isCompressedCheckpoint(head)) return true; // 'MNLC'
  if (head[0] === 0x50 && head[1] === 0x4b) return true; // 'PK' zip
  if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5) return true; // pickle PROTO
  if (head.length < 9) return false;
  const n = new DataView(head.buffer, head.byteOffset).getBigUint64(0, true);
  return n > 1n && n < BigInt(size) && head[8] === 0x7b; // safetensors: u64 length + '{'
}

function architecture(ck: AnyCheckpoint): string | null {
  if (ck.graph) return ck.graph.name;
  try {
    return recognizeArchitecture(ck.tensors).zooName;
  } catch {
    return null;
  }
}

async function inspectCheckpoint(file: string): Promise<Record<string, unknown>> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const ck = await readAnyCheckpoint(bytes, file);
  const s = checkpointSummary(ck.tensors);
  const out: Record<string, unknown> = {
    kind: 'checkpoint',
    file,
    format: ck.format,
    bytes: bytes.length,
    tensors: s.tensorCount,
    params: ck.graph ? countParams(ck.graph) : s.params,
    zeros: s.zeros,
    zeroShare: s.zeroShare,
    architecture: architecture(ck),
  };
  if (ck.graph) Object.assign(out, { model: ck.graph.name, nodes: ck.graph.nodes.length });
  if (ck.info) out.info = ck.info;
  if (ck.torch) out.torch = ck.torch;
  if (ck.compressed) Object.assign(out, compressedSummary(ck.compressed));
  return out;
}

/** Per-layer storage of a compressed checkpoint, totals, and the score's count for it. */
function compressedSummary(c: ReadCompressed): Record<string, unknown> {
  const byNode = new Map<string, TensorLayout[]>();
  for (const t of c.layout.tensors) {
    const node = t.name.slice(0, t.name.lastIndexOf('.'));
    byNode.set(node, [...(byNode.get(node) ?? []), t]);
  }
  const ops = new Map(c.graph.nodes.map((n) => [n.name, n.spec.op]));
  const layers = [...byNode].map(([name, tensors]) => ({
    name,
    op: ops.get(name),
    bytes: tensors.reduce((s, t) => s + t.bytes, 0),
    tensors,
  }));
  const l = c.layout;
  const score = scoreCompressed(c, { detail: false });
  return {
    recipe: c.recipe,
    layers,
    totals: {
      fileBytes: l.fileBytes,
      headerBytes: l.headerBytes,
      headerRawBytes: l.headerRawBytes,
      payloadBytes: l.payloadBytes,
      tensors: l.tensors.length,
      sparseTensors: l.tensors.filter((t) => t.encoding === 'sparse').length,
      storedValues: l.tensors.reduce((s, t) => s + t.nnz, 0),
      activationQuantizers: Object.keys(c.activationQuant).length,
      storageBytes: score.storageBits / 8,
      params32: score.params32,
    },
  };
}

export async function inspectCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const file = args.positional[0];
  if (file === undefined) throw new UsageError('usage: inspect <file>');
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const head = new Uint8Array(16);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, head, 0, 16, 0);
  fs.closeSync(fd);
  if (looksLikeCheckpoint(head, fs.statSync(file).size)) return inspectCheckpoint(file);
  const ds = await loadDataset(file);
  const train = splitSummary(ds.train);
  const test = splitSummary(ds.test);
  return {
    kind: 'cifar-100',
    file,
    records: (ds.train?.count ?? 0) + (ds.test?.count ?? 0),
    splits: { ...(train && { train }), ...(test && { test }) },
  };
}
