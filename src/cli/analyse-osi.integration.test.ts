// Integration (issue 13, item 4): `analyse` on the real OSI-AI MicroNet checkpoint (.pth) and
// real CIFAR-100 test records, in-process as the CLI runs it (wasm), with a batch of 40 — one
// double-backprop pass over 40 records would need ≈ 10 GB of wasm heap (≈ 245 MiB a record; the
// heap ends at 4 GB) and one Fisher pass ≈ 3 GB — at its automatic micro-batches: it finishes,
// both passes report a split, the spectra are finite. Kept short (top-1, 2 Lanczos steps, one
// probe of 2 steps); `analyse --limit 256` at its defaults is the same path, for hours.
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR_DIR, MODELS_DIR } from '../test-paths';
import { parseArgs } from './args';
import { analyseCommand } from './commands/analyse';

const MODEL = path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.pth');

interface Out {
  hessian: { top: number[]; trace: number; params: number };
  layers: { name: string; eigA: number[]; eigG: number[] }[];
  microBatch: { kfac: number; hessian: number };
  n: number;
  backend: string;
  model: string;
}

describe('analyse on the OSI-AI MicroNet at a batch larger than the wasm heap allows', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('limit 40, batch 40: runs in automatic micro-batches and finishes', async () => {
    const flags = ['--limit', '40', '--batch', '40', '--top-k', '1', '--steps', '2'];
    const argv = ['analyse', '--model', MODEL, '--data', CIFAR_DIR, ...flags];
    const t0 = performance.now();
    const out = (await analyseCommand(
      parseArgs([...argv, '--probes', '1', '--density-steps', '2']),
    )) as unknown as Out;
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    console.log(
      `[analyse osi] n=${out.n}, batch 40 in passes of ${out.microBatch.kfac} (K-FAC) / ${out.microBatch.hessian} (Hessian): λ1 ${out.hessian.top[0]?.toFixed(3)}, trace ${out.hessian.trace.toFixed(1)}, ${out.layers.length} K-FAC layers, ${((performance.now() - t0) / 1000).toFixed(0)} s, wasm heap ${(heap.length / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(out.backend).toBe('wasm');
    expect(out.model).toBe('osi-micronet');
    expect(out.n).toBe(40);
    expect(out.hessian.params).toBe(483_192);
    expect(out.microBatch.hessian).toBeLessThanOrEqual(4);
    expect(out.microBatch.kfac).toBeLessThan(40);
    expect(Number.isFinite(out.hessian.top[0])).toBe(true);
    expect(out.hessian.top[0]!).toBeGreaterThan(0);
    expect(out.layers.length).toBeGreaterThan(30);
    expect(out.layers.every((l) => l.eigA.every(Number.isFinite))).toBe(true);
  }, 600_000);
});
