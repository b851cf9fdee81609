import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildTinyNet } from '../models/tiny';
import { measureThroughput } from './throughput';

describe('measureThroughput', () => {
  it('reports positive rates on the active backend and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await measureThroughput({
      graph: buildTinyNet({ numClasses: 10 }),
      batchSize: 4,
      trainSteps: 2,
      evalBatches: 1,
    });
    expect(r.backend).toBe('cpu');
    expect(r.trainStepMs).toBeGreaterThan(0);
    expect(r.trainImagesPerSecond).toBeCloseTo((4 * 1000) / r.trainStepMs, 6);
    expect(r.evalImagesPerSecond).toBeGreaterThan(0);
    expect(r.tensorGrowth).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
