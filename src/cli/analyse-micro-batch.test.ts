// `analyse` (issue 13, item 4) in-process, as the CLI runs it (wasm backend, real CIFAR-100 test
// records): a batch of 12 under a lowered memory budget (--memory-budget, MiB) that holds 3
// records per double-backprop pass runs split — K-FAC and Hessian both report their micro-batch
// — finishes, and gives the same spectra as the same batch in one piece (--micro-batch 12).
// Tolerance: 1e-4 relative (float32 sums in another order; Lanczos amplifies a little).
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mainOutputGraph } from '../core/analysis/hessian/network-loss';
import { buildFromZooName } from '../core/models/zoo';
import { passBytesPerImage } from '../core/train/pass-memory';
import { CIFAR_DIR } from '../test-paths';
import { parseArgs } from './args';
import { analyseCommand } from './commands/analyse';

interface Out {
  hessian: { top: number[]; trace: number };
  layers: { name: string; eigA: number[]; eigG: number[] }[];
  microBatch: { kfac: number; hessian: number };
  n: number;
  backend: string;
}

function run(...extra: string[]): Promise<Out> {
  const argv = ['analyse', '--model', 'tiny', '--data', path.join(CIFAR_DIR, 'test.bin')];
  const common = ['--limit', '12', '--batch', '12', '--top-k', '2', '--steps', '6'];
  const flags = [...common, '--probes', '1', '--density-steps', '4', ...extra];
  return analyseCommand(parseArgs([...argv, ...flags])) as unknown as Promise<Out>;
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
}

describe('analyse under a lowered memory budget (tiny net, wasm)', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('splits a batch of 12 into micro-batches, finishes, and matches the whole batch', async () => {
    const hvpBytes = passBytesPerImage(mainOutputGraph(buildFromZooName('tiny')), 'hvp');
    const budgetMiB = (3.5 * hvpBytes) / 2 ** 20; // 3 records per HVP pass
    const tensors = tf.memory().numTensors;
    const split = await run('--memory-budget', String(budgetMiB));
    const whole = await run('--micro-batch', '12');
    expect(tf.memory().numTensors).toBe(tensors);
    console.log(
      `[analyse micro-batch] budget ${budgetMiB.toFixed(2)} MiB → K-FAC ${split.microBatch.kfac}, Hessian ${split.microBatch.hessian} per pass; λ1 ${split.hessian.top[0]} vs ${whole.hessian.top[0]}`,
    );
    expect(split.backend).toBe('wasm');
    expect(split.n).toBe(12);
    expect(split.microBatch.hessian).toBe(3);
    expect(split.microBatch.kfac).toBeGreaterThan(3);
    expect(split.microBatch.kfac).toBeLessThan(12);
    expect(whole.microBatch).toEqual({ kfac: 12, hessian: 12 });
    for (let i = 0; i < 2; i++)
      expect(rel(split.hessian.top[i]!, whole.hessian.top[i]!)).toBeLessThan(1e-4);
    expect(rel(split.hessian.trace, whole.hessian.trace)).toBeLessThan(1e-4);
    expect(split.layers.map((l) => l.name)).toEqual(whole.layers.map((l) => l.name));
    split.layers.forEach((l, i) => {
      const w = whole.layers[i]!;
      for (const [a, b] of [
        [l.eigA, w.eigA],
        [l.eigG, w.eigG],
      ] as const)
        expect(rel(a[0]!, b[0]!)).toBeLessThan(1e-4);
    });
  });
});
