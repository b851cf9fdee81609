/**
 * Backend for the command line: wasm (with the lab's gradient kernels, so training works) by
 * default, cpu on request or when wasm cannot start. `--backend cpu|wasm`; `--threads N` (wasm:
 * XNNPACK threads, 1 to 8; default 1, the single-threaded build — see wasm-threads.ts and
 * docs/PERFORMANCE.md for why the threaded build is opt-in for now).
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import '../core/backend/register-node-backends';
import { UsageError } from './args';
import { MAX_WASM_THREADS, startWasm } from './wasm-threads';

/** The folder holding tfjs-backend-wasm's .wasm binaries (the CLI runs from a bundle). */
function wasmDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

export type NodeBackend = 'wasm' | 'cpu';

let activeThreads = 1;

/** Threads the running backend computes with (wasm: its XNNPACK pool; cpu: 1). */
export function nodeThreads(): number {
  return activeThreads;
}

function parseThreads(flag: string | undefined): number {
  if (flag === undefined) return 1;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new UsageError(
      `--threads must be an integer from 1 to ${MAX_WASM_THREADS}, got "${flag}"`,
    );
  }
  return n;
}

export async function selectNodeBackend(
  requested: string | undefined,
  threadsFlag?: string,
): Promise<NodeBackend> {
  const name = requested ?? 'wasm';
  if (name !== 'wasm' && name !== 'cpu') {
    throw new UsageError(`--backend must be wasm or cpu in Node, got "${name}"`);
  }
  const threads = parseThreads(threadsFlag);
  if (name === 'wasm') {
    setWasmPaths(wasmDir());
    activeThreads = await startWasm(threads);
    if (activeThreads > 0) return 'wasm';
    if (requested === 'wasm') throw new Error('the wasm backend failed to initialise');
  }
  await tf.setBackend('cpu');
  activeThreads = 1;
  return 'cpu';
}
