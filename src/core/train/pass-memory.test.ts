// Memory-aware batching of the non-training passes (pass-memory.ts): the per-pass estimate, the
// choice (explicit, a given budget on any backend, the default budget on wasm and cpu), the
// ranges, and what the OSI-AI MicroNet gets under the wasm budget (each below what one pass
// measured to fit).
import { describe, expect, it } from 'vitest';
import { mainOutputGraph } from '../analysis/hessian/network-loss';
import { Network } from '../graph/network';
import { GraphBuilder } from '../models/graph-builder';
import { buildOsiMicronet } from '../models/osi-micronet';
import { WASM_TRAIN_BUDGET_BYTES } from './micro-batch';
import {
  forwardMicroBatch,
  microBatchRanges,
  modelGraph,
  PASS_TAPE_FACTORS,
  passBytesPerImage,
  passMicroBatch,
} from './pass-memory';

/** input 8×8×3 (192) → conv 8 (512) → relu (512) → pool (8) → fc 3 (3): 1,227 elements. */
function knownGraph() {
  const b = new GraphBuilder();
  const x = b.relu('relu', b.conv('conv', b.input(8), { in: 3, out: 8, k: 3 }));
  return b.build('known', 3, b.head('pool', 'fc', x, 8, 3));
}

describe('pass memory estimate and micro-batch choice', () => {
  it('bytes per image = node outputs × 4 × the pass factor', () => {
    const g = knownGraph();
    for (const kind of ['hvp', 'fisher', 'forward'] as const)
      expect(passBytesPerImage(g, kind)).toBe(1227 * 4 * PASS_TAPE_FACTORS[kind]);
  });

  it('explicit micro-batch, then a given budget (any backend), else whole off wasm', () => {
    const g = knownGraph();
    const hvp = passBytesPerImage(g, 'hvp'); // 78,528 bytes
    expect(passMicroBatch(32, g, 'hvp', { microBatch: 5 })).toBe(5);
    expect(passMicroBatch(4, g, 'hvp', { microBatch: 5 })).toBe(4);
    expect(passMicroBatch(32, g, 'hvp', { memoryBudget: 3 * hvp + 1 })).toBe(3);
    expect(passMicroBatch(32, g, 'hvp', { memoryBudget: 1 })).toBe(1);
    expect(passMicroBatch(32, undefined, 'hvp', { memoryBudget: 1 })).toBe(32);
    expect(passMicroBatch(32, g, 'hvp')).toBe(32); // cpu: within the default budget
    expect(() => passMicroBatch(32, g, 'hvp', { microBatch: 0 })).toThrow(/microBatch .* got 0/);
    expect(() => passMicroBatch(0, g, 'hvp', { microBatch: 2 })).toThrow(/batchSize .* got 0/);
  });

  it('ranges cover the batch in as-equal micro-batches', () => {
    expect(microBatchRanges(10, 4)).toEqual([
      { start: 0, size: 4 },
      { start: 4, size: 3 },
      { start: 7, size: 3 },
    ]);
    expect(microBatchRanges(3, 8)).toEqual([{ start: 0, size: 3 }]);
  });

  it('finds the graph of a network or a trainable model, and sizes eval forwards by it', () => {
    const g = knownGraph();
    const net = Network.fromInit(g, 1);
    try {
      expect(modelGraph(net)).toBe(g);
      expect(modelGraph({ footprint: { graph: g } })).toBe(g);
      expect(modelGraph({ predict: () => null })).toBeUndefined();
      const budget = 10 * passBytesPerImage(g, 'forward');
      expect(forwardMicroBatch(net, 64, { memoryBudget: budget })).toBe(10);
      expect(forwardMicroBatch({}, 64, { memoryBudget: budget })).toBe(64);
    } finally {
      net.dispose();
    }
  });

  it('OSI-AI MicroNet under the wasm budget: HVP ≤ 4, Fisher ≤ 16, eval forward ≥ 100', () => {
    const osi = buildOsiMicronet();
    // the tests' cpu backend splits by default, as wasm does
    expect(passMicroBatch(256, mainOutputGraph(osi), 'hvp')).toBe(
      passMicroBatch(256, mainOutputGraph(osi), 'hvp', { memoryBudget: WASM_TRAIN_BUDGET_BYTES }),
    );
    const at = (kind: 'hvp' | 'fisher' | 'forward', g = osi) =>
      passMicroBatch(256, g, kind, { memoryBudget: WASM_TRAIN_BUDGET_BYTES });
    const hvp = at('hvp', mainOutputGraph(osi));
    console.log(
      `[pass-memory] OSI per image: HVP ${(passBytesPerImage(osi, 'hvp') / 2 ** 20).toFixed(0)} MiB, Fisher ${(passBytesPerImage(osi, 'fisher') / 2 ** 20).toFixed(0)} MiB, forward ${(passBytesPerImage(osi, 'forward') / 2 ** 20).toFixed(1)} MiB → micro-batches ${hvp} / ${at('fisher')} / ${at('forward')}`,
    );
    expect(hvp).toBeGreaterThanOrEqual(1);
    expect(hvp).toBeLessThanOrEqual(4); // one pass of 12 grew the heap to 2.9 GB
    expect(at('fisher')).toBeLessThanOrEqual(16);
    expect(at('forward')).toBeGreaterThanOrEqual(100);
  });
});
