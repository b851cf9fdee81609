/**
 * Backend for the command line: wasm (with the lab's gradient kernels, so training works) by
 * default, cpu on request or when wasm cannot start. `--backend cpu|wasm`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import '../core/backend/register-node-backends';
import { UsageError } from './args';

/** The folder holding tfjs-backend-wasm's .wasm binaries (the CLI runs from a bundle). */
function wasmDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

export type NodeBackend = 'wasm' | 'cpu';

export async function selectNodeBackend(requested: string | undefined): Promise<NodeBackend> {
  const name = requested ?? 'wasm';
  if (name !== 'wasm' && name !== 'cpu') {
    throw new UsageError(`--backend must be wasm or cpu in Node, got "${name}"`);
  }
  if (name === 'wasm') {
    setWasmPaths(wasmDir());
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (await tf.setBackend('wasm')) return 'wasm';
    if (requested === 'wasm') throw new Error('the wasm backend failed to initialise');
  }
  await tf.setBackend('cpu');
  return 'cpu';
}
