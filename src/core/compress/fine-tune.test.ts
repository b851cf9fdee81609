import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildTinyNet } from '../models/tiny';
import type { TrainMetrics } from '../train/trainer';
import { syntheticSource } from '../train/synthetic-source';
import { SEED_AUGMENT, STANDARD_AUGMENT } from '../data/augment';
import { fineTuneAugment, fineTuneMasked, fineTuneSchedule } from './fine-tune';
import { MaskSet } from './sparsity/mask-set';
import { zeroMasks } from './sparsity/zero-masks';

describe('fineTuneSchedule', () => {
  it('is constant by default and cosine when asked, scaled by lrScale', () => {
    expect(fineTuneSchedule({})).toEqual({ kind: 'constant', lr: 1e-3 });
    expect(fineTuneSchedule({ learningRate: 0.1 }, 0.5)).toEqual({ kind: 'constant', lr: 0.05 });
    expect(
      fineTuneSchedule({ learningRate: 0.1, lrSchedule: 'cosine', minLearningRate: 0.01 }, 0.5),
    ).toEqual({ kind: 'cosine', lr: 0.05, minLr: 0.005 });
    expect(fineTuneSchedule({ lrSchedule: 'cosine' })).toEqual({
      kind: 'cosine',
      lr: 1e-3,
      minLr: 0,
    });
  });
});

describe('fineTuneAugment', () => {
  it('maps the recipe field to the augmentation policy (none by default)', () => {
    expect(fineTuneAugment()).toBeNull();
    expect(fineTuneAugment({ augment: 'none' })).toBeNull();
    expect(fineTuneAugment({ augment: 'standard' })).toBe(STANDARD_AUGMENT);
    expect(fineTuneAugment({ augment: 'seed' })).toBe(SEED_AUGMENT);
  });
});

describe('fineTuneMasked with lrSchedule cosine', () => {
  it('anneals the learning rate step by step from learningRate to minLearningRate', async () => {
    const graph = buildTinyNet({ inputSize: 8, numClasses: 3 });
    const net = Network.fromInit(graph, 1);
    const masks = MaskSet.fromMasks(net, zeroMasks(graph, net.toWeights()));
    const start = tf.memory().numTensors;
    const seen: TrainMetrics[] = [];
    const settings = {
      epochs: 2,
      batchSize: 8,
      learningRate: 0.01,
      lrSchedule: 'cosine',
      minLearningRate: 0.001,
    } as const;
    const status = await fineTuneMasked(net, masks, {
      source: syntheticSource({ size: 32, numClasses: 3, seed: 3 }),
      settings,
      seed: 2,
      label: 'test',
      onMetrics: (m) => seen.push(m),
    });
    expect(status).toBe('completed');
    // a report at the end of each epoch, with the rate of its last step (step − 1 of 8):
    // min + (max − min)·½(1 + cos(π(step − 1)/8))
    expect(seen.map((m) => m.step)).toEqual([4, 8]);
    const cosine = (k: number) => 0.001 + 0.009 * 0.5 * (1 + Math.cos((Math.PI * k) / 8));
    for (const m of seen) expect(m.lr).toBeCloseTo(cosine(m.step - 1), 12);
    expect(seen[1]!.lr).toBeLessThan(0.0014); // 0.00134: the last step is one short of the end
    expect(tf.memory().numTensors).toBe(start);
    masks.dispose();
    net.dispose();
  });
});
