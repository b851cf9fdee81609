// The training-step memory estimate and the automatic micro-batch: a hand-counted graph, the
// split sizes, the OSI-AI MicroNet on wasm (QAT: ≤ 16 of a batch of 32) and the tiny net (whole).
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../models/graph-builder';
import { buildOsiMicronet } from '../models/osi-micronet';
import { buildTinyNet } from '../models/tiny';
import {
  activationElementsPerImage,
  autoMicroBatch,
  microBatchSizes,
  PLAIN_TAPE_FACTOR,
  QAT_TAPE_FACTOR,
  trainBytesPerImage,
  WASM_TRAIN_BUDGET_BYTES,
} from './micro-batch';

/** input 8×8×3 (192) → conv 8 (512) → relu (512) → pool (8) → fc 3 (3): 1,227 elements. */
function knownGraph() {
  const b = new GraphBuilder();
  const x = b.relu('relu', b.conv('conv', b.input(8), { in: 3, out: 8, k: 3 }));
  return b.build('known', 3, b.head('pool', 'fc', x, 8, 3));
}

describe('training memory estimate', () => {
  it('counts every node output of one image, × 4 bytes × the tape factor', () => {
    const graph = knownGraph();
    expect(activationElementsPerImage(graph)).toBe(1227);
    expect(trainBytesPerImage({ graph, quantAware: false })).toBe(1227 * 4 * PLAIN_TAPE_FACTOR);
    expect(trainBytesPerImage({ graph, quantAware: true })).toBe(1227 * 4 * QAT_TAPE_FACTOR);
  });

  it('splits only on wasm, by the budget, at least 1 image', () => {
    for (const backend of ['cpu', 'webgl', 'webgpu'])
      expect(autoMicroBatch(32, 1e12, backend)).toBe(32);
    expect(autoMicroBatch(32, undefined, 'wasm')).toBe(32);
    expect(autoMicroBatch(32, 100, 'wasm', 1000)).toBe(10);
    expect(autoMicroBatch(32, 1e12, 'wasm')).toBe(1);
    expect(autoMicroBatch(32, 1, 'wasm')).toBe(32);
    expect(() => autoMicroBatch(0, 1, 'wasm')).toThrow(/batchSize .* got 0/);
    expect(() => autoMicroBatch(8, -5, 'wasm')).toThrow(/bytesPerImage .* got -5/);
    expect(() => autoMicroBatch(8, 5, 'wasm', 0)).toThrow(/budget .* got 0/);
  });

  it('splits a batch into ⌈n / m⌉ micro-batches of as-equal sizes', () => {
    expect(microBatchSizes(32, 12)).toEqual([11, 11, 10]);
    expect(microBatchSizes(8, 3)).toEqual([3, 3, 2]);
    expect(microBatchSizes(32, 7)).toEqual([7, 7, 6, 6, 6]);
    expect(microBatchSizes(8, 8)).toEqual([8]);
    expect(microBatchSizes(8, 100)).toEqual([8]);
    expect(microBatchSizes(3, 1)).toEqual([1, 1, 1]);
    expect(() => microBatchSizes(8, 0)).toThrow(/microBatch .* got 0/);
    expect(() => microBatchSizes(0, 4)).toThrow(/batch of 0/);
  });

  it('OSI-AI MicroNet on wasm: QAT at batch 32 splits to ≤ 16; the tiny net runs whole', () => {
    const osi = buildOsiMicronet();
    const qat = trainBytesPerImage({ graph: osi, quantAware: true });
    const plain = trainBytesPerImage({ graph: osi, quantAware: false });
    console.log(
      `[micro-batch] OSI: ${activationElementsPerImage(osi)} elements/image; training ${(plain / 2 ** 20).toFixed(1)} MiB/image plain, ${(qat / 2 ** 20).toFixed(1)} MiB/image QAT; budget ${WASM_TRAIN_BUDGET_BYTES / 2 ** 20} MiB → micro-batch ${autoMicroBatch(32, plain, 'wasm')} / ${autoMicroBatch(32, qat, 'wasm')}`,
    );
    expect(qat).toBeGreaterThan(plain);
    const m = autoMicroBatch(32, qat, 'wasm');
    expect(m).toBeGreaterThanOrEqual(1);
    expect(m).toBeLessThanOrEqual(16);
    expect(autoMicroBatch(32, qat, 'cpu')).toBe(32);
    const tiny = buildTinyNet();
    expect(autoMicroBatch(32, trainBytesPerImage({ graph: tiny, quantAware: true }), 'wasm')).toBe(
      32,
    );
  });
});
