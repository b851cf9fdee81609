/**
 * `inspect <file>`: what the file is. CIFAR-100 data (.bin, .tar, .tar.gz) → record counts and
 * per-class counts per split; a safetensors checkpoint (the lab's own or any other) → tensor
 * count, parameter count and share of exact zeros.
 */
import fs from 'node:fs';
import type { CifarSplit } from '../../core/data/types';
import { NUM_COARSE, NUM_FINE } from '../../core/data/types';
import { countParams } from '../../core/graph/params';
import { readLabCheckpoint } from '../../core/io/lab-checkpoint';
import { readSafetensors, type SafeTensor } from '../../core/io/safetensors';
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

/** safetensors: 8-byte little-endian header length, then a JSON object. */
function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const n = new DataView(head.buffer, head.byteOffset).getBigUint64(0, true);
  return n > 1n && n < BigInt(size) && head[8] === 0x7b; // '{'
}

const isBuffer = (name: string): boolean =>
  /\.(running_mean|running_var|num_batches_tracked)$/.test(name);

function tensorStats(tensors: Map<string, SafeTensor>): { params: number; zeros: number } {
  let params = 0;
  let zeros = 0;
  for (const [name, t] of tensors) {
    if (isBuffer(name) || t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
      continue;
    }
    params += t.data.length;
    for (const v of t.data) if (v === 0) zeros++;
  }
  return { params, zeros };
}

function inspectSafetensors(file: string): Record<string, unknown> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const st = readSafetensors(bytes);
  const { params, zeros } = tensorStats(st.tensors);
  const base = {
    kind: 'checkpoint',
    file,
    bytes: bytes.length,
    tensors: st.tensors.size,
    params,
    zeroShare: params > 0 ? zeros / params : 0,
  };
  if (st.metadata?.format !== 'micronet-lab') return { ...base, format: 'safetensors' };
  const ckpt = readLabCheckpoint(bytes, file);
  return {
    ...base,
    format: 'micronet-lab',
    model: ckpt.graph.name,
    params: countParams(ckpt.graph),
    nodes: ckpt.graph.nodes.length,
    info: ckpt.info,
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
  if (looksLikeSafetensors(head, fs.statSync(file).size)) return inspectSafetensors(file);
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
