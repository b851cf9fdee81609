import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TrainControl } from './control';
import { SimpleCnn } from './simple-cnn.test-helpers';
import { syntheticSource } from './synthetic-source';
import { evaluate } from './evaluate';
import { train, type EpochSummary, type TrainMetrics, type TrainOptions } from './trainer';

const tinyCnn = (seed = 1) =>
  new SimpleCnn({ stages: [{ out: 6, stride: 2 }], numClasses: 3, seed });

function options(model: SimpleCnn, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model,
    source: syntheticSource({ size: 48, numClasses: 3, seed: 5 }),
    epochs: 3,
    batchSize: 8,
    schedule: { kind: 'cosine', lr: 0.03, warmupEpochs: 0.5 },
    sgd: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, excludeFromDecay: 'bn-and-bias' },
    seed: 7,
    metricsEvery: 2,
    ...extra,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('train', () => {
  it('learns a separable problem: loss falls, accuracy rises, metrics are complete', async () => {
    const model = tinyCnn();
    const metrics: TrainMetrics[] = [];
    const epochs: EpochSummary[] = [];
    const source = syntheticSource({ size: 96, numClasses: 3, seed: 5 });
    const res = await train(
      options(model, {
        source,
        epochs: 4,
        batchSize: 16,
        metricsEvery: 4,
        onMetrics: (m) => metrics.push(m),
        onEpochEnd: (s) => void epochs.push(s),
      }),
    );
    expect(res.status).toBe('completed');
    expect(res.steps).toBe(24);
    expect(res.epochsCompleted).toBe(4);
    expect(metrics.map((m) => m.step)).toEqual([4, 6, 10, 12, 16, 18, 22, 24]); // every 4 + epoch ends
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(epochs[3]!.loss).toBeLessThan(epochs[0]!.loss * 0.6);
    expect(epochs[3]!.acc).toBeGreaterThan(epochs[0]!.acc);
    for (const m of metrics) {
      expect(m.totalSteps).toBe(24);
      expect(m.imagesPerSecond).toBeGreaterThan(0);
      expect(m.etaSeconds).toBeGreaterThanOrEqual(0);
      expect(m.lr).toBeGreaterThan(0);
    }
    expect(metrics.at(-1)!.etaSeconds).toBe(0);
    const ev = await evaluate(model, source, { batchSize: 32 });
    expect(ev.top1).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('does not grow the tensor count across steps', async () => {
    const model = tinyCnn();
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await train(
      options(model, {
        metricsEvery: 1,
        epochs: 2,
        onMetrics: () => counts.push(tf.memory().numTensors),
      }),
    );
    expect(counts.length).toBe(12);
    expect(new Set(counts).size).toBe(1); // after step 1 (momentum buffers exist) = after step N
    expect(tf.memory().numTensors).toBe(before); // optimizer and accumulators freed at the end
    model.dispose();
  });

  it('is reproducible from the seed', async () => {
    const runOnce = async (seed: number) => {
      const model = tinyCnn();
      await train(options(model, { seed, epochs: 1 }));
      const w = Array.from(model.get('fc.weight').dataSync());
      model.dispose();
      return w;
    };
    const [a, b, c] = [await runOnce(3), await runOnce(3), await runOnce(4)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('updates BN running statistics', async () => {
    const model = tinyCnn();
    await train(options(model, { maxSteps: 2 }));
    const mean = Array.from(model.get('bn0.running_mean').dataSync());
    expect(mean.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    model.dispose();
  });

  it('pauses, resumes and cancels between steps', async () => {
    const model = tinyCnn();
    const control = new TrainControl();
    let steps = 0;
    const run = train(
      options(model, {
        control,
        metricsEvery: 1,
        onMetrics: (m) => {
          steps = m.step;
          if (m.step === 2) control.pause();
        },
      }),
    );
    while (steps < 2) await tick();
    for (let i = 0; i < 5; i++) await tick();
    expect(steps).toBe(2);
    expect(control.state).toBe('paused');
    control.resume();
    while (steps < 4) await tick();
    control.cancel();
    const res = await run;
    expect(res.status).toBe('cancelled');
    expect(res.steps).toBeGreaterThanOrEqual(4);
    expect(res.steps).toBeLessThanOrEqual(5);
    model.dispose();
  });

  it('cancel during a pause ends the run', async () => {
    const model = tinyCnn();
    const control = new TrainControl();
    control.pause();
    const run = train(options(model, { control }));
    await tick();
    control.cancel();
    const res = await run;
    expect(res).toMatchObject({ status: 'cancelled', steps: 0 });
    model.dispose();
  });

  it('reports divergence', async () => {
    const model = tinyCnn();
    const res = await train(
      options(model, { schedule: { kind: 'constant', lr: 1e30 }, metricsEvery: 1 }),
    );
    expect(res.status).toBe('diverged');
    expect(res.message).toMatch(/loss became/);
    model.dispose();
  });

  it('fails fast on bad options and labels', async () => {
    const model = tinyCnn();
    await expect(train(options(model, { epochs: 0 }))).rejects.toThrow(/epochs/);
    await expect(train(options(model, { batchSize: 1 }))).rejects.toThrow(/batchSize/);
    const bad = syntheticSource({ size: 16, numClasses: 5, seed: 1 }); // labels up to 4, model has 3 classes
    const before = tf.memory().numTensors;
    await expect(train(options(model, { source: bad }))).rejects.toThrow(/label 3/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
