// Test-only helpers (Node) for the OSI-AI MicroNet oracle tests: the shared checkpoint, the
// golden files and the first CIFAR-100 test records. Reads /work/shared via test-paths.ts.
import fs from 'node:fs';
import path from 'node:path';
import { CIFAR_DIR, MODELS_DIR, ORACLES_DIR } from '../../test-paths';
import { parseRecords } from '../data/cifar-records';
import type { CifarSplit } from '../data/types';
import type { Graph, Weights } from '../graph/ir';
import { readSafetensors, type SafeTensor } from '../io/safetensors';
import { torchStateDictToWeights } from '../io/torch-layout';

export const OSI_GOLDEN_DIR = path.join(ORACLES_DIR, 'osi-ai-micronet', 'golden');
const CHECKPOINT = path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.safetensors');

let stateDict: Map<string, SafeTensor> | undefined;

/** The OSI checkpoint's state_dict (read once per test file). */
export function osiStateDict(): Map<string, SafeTensor> {
  stateDict ??= readSafetensors(new Uint8Array(fs.readFileSync(CHECKPOINT))).tensors;
  return stateDict;
}

export function osiWeights(graph: Graph): Weights {
  return torchStateDictToWeights(graph, osiStateDict());
}

/** A raw little-endian float32 golden file. */
export function readGoldenF32(file: string): Float32Array {
  const buf = fs.readFileSync(path.join(OSI_GOLDEN_DIR, file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function readGoldenU8(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(OSI_GOLDEN_DIR, file)));
}

/** The first `count` records of a CIFAR-100 binary file (test.bin or train.bin). */
function firstRecords(file: 'test.bin' | 'train.bin', count: number): CifarSplit {
  const fd = fs.openSync(path.join(CIFAR_DIR, file), 'r');
  const bytes = new Uint8Array(count * 3074);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return parseRecords(bytes, file);
}

/** The first `count` records of test.bin. */
export function testRecords(count: number): CifarSplit {
  return firstRecords('test.bin', count);
}

/** The first `count` records of train.bin (activation calibration). */
export function trainRecords(count: number): CifarSplit {
  return firstRecords('train.bin', count);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
