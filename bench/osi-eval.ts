/**
 * The OSI-AI MicroNet checkpoint (../shared/models/osi-ai-micronet/trained_model.pth) evaluated
 * on CIFAR-100 test records in Node: all 10,000 on wasm; a slice on cpu (about 5 images/s).
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { parseRecords, sliceSplit } from '../src/core/data/cifar-records';
import { benchCheckpointEval, type CheckpointEvalBench } from '../src/core/bench/checkpoint-eval';
import { startNodeBackend } from './node-throughput';
import { CIFAR_DIR, SHARED_DIR } from './paths';

export const OSI_PTH = path.join(SHARED_DIR, 'models', 'osi-ai-micronet', 'trained_model.pth');
export const OSI_LIMITS = { wasm: 10_000, cpu: 500 } as const;

export type OsiEvalRow = CheckpointEvalBench & { where: string };

export async function benchOsiNode(log: (s: string) => void): Promise<OsiEvalRow[]> {
  const bytes = new Uint8Array(fs.readFileSync(OSI_PTH));
  const test = parseRecords(
    new Uint8Array(fs.readFileSync(path.join(CIFAR_DIR, 'test.bin'))),
    'test.bin',
  );
  const rows: OsiEvalRow[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await startNodeBackend(backend);
    log(`node ${backend} OSI eval on ${OSI_LIMITS[backend]} images…`);
    const split = sliceSplit(test, 0, OSI_LIMITS[backend]);
    const r = await benchCheckpointEval(bytes, 'trained_model.pth', split, 100);
    log(`  top-1 ${r.top1}, ${r.imagesPerSecond.toFixed(1)} img/s`);
    rows.push({ ...r, where: 'Node', backend: tf.getBackend() });
  }
  return rows;
}
