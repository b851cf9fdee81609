// runRecipe on a tiny exit-head net (cpu backend, synthetic data): a run stopped twice (mid-step,
// after momentum; at a step's end) and resumed equals a straight run exactly; masks stay zero;
// a checkpoint of another recipe is refused; progress, the contract fields and no tensor leak.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Recipe } from '../../recipe';
import { TrainControl } from '../../train/control';
import { prunableLayers } from '../sparsity';
import { exitNet, MemoryCheckpoint, testSource, trainSource } from './pipeline.test-helpers';
import type { PipelineProgress } from './pipeline-progress';
import { runRecipe, type RunRecipeCompleted, type RunRecipeResult } from './run-recipe';

const FINE_TUNE = {
  epochs: 2,
  batchSize: 8,
  learningRate: 0.02,
  pruneSteps: 2,
  pruneSchedule: 'agp' as const,
};
const PLAIN: Recipe = { sparsity: 0.5, exitThreshold: 0.5, fineTune: FINE_TUNE };
const FULL: Recipe = {
  sparsity: 0.4,
  weightBits: 8,
  activationBits: 8,
  exitThreshold: 0.6,
  fineTune: { ...FINE_TUNE, qat: true, distill: { temperature: 2, weight: 0.5 } },
};

async function run(
  recipe: Recipe,
  checkpoint?: MemoryCheckpoint,
  onProgress?: (p: PipelineProgress) => void,
): Promise<RunRecipeResult> {
  const net = exitNet();
  const control = new TrainControl();
  if (checkpoint) checkpoint.control = control;
  try {
    return await runRecipe({
      net,
      recipe,
      train: trainSource,
      test: testSource,
      calibration: trainSource,
      limit: 20,
      seed: 7,
      control,
      checkpoint,
      onProgress,
      evalBatchSize: 10,
    });
  } finally {
    net.dispose();
  }
}

function completed(r: RunRecipeResult): RunRecipeCompleted {
  if (r.status !== 'completed') throw new Error(`run ${r.status}`);
  return r;
}

function metrics(r: RunRecipeCompleted) {
  const { top1, top1EarlyExit, exitRate, score, paramsM, opsM, n } = r;
  return { top1, top1EarlyExit, exitRate, score, paramsM, opsM, n };
}

describe('runRecipe', () => {
  it.each([
    ['sparsity', PLAIN],
    ['QAT + distillation', FULL],
  ])(
    '%s: stopped mid-step and at a step end, resumed, equals a straight run',
    async (_, recipe) => {
      const before = tf.memory().numTensors;
      const straight = completed(await run(recipe, new MemoryCheckpoint()));
      const store = new MemoryCheckpoint();
      store.stopAt = { stepsDone: 0, epochsDone: 1 };
      const first = await run(recipe, store);
      expect(first).toMatchObject({ status: 'cancelled', stepsDone: 0, epochsDone: 1 });
      store.stopAt = { stepsDone: 1, epochsDone: 0 };
      const second = await run(recipe, store);
      expect(second).toMatchObject({
        status: 'cancelled',
        stepsDone: 1,
        resumedFrom: { stepsDone: 0, epochsDone: 1 },
      });
      const positions = store.saves.map((s) => [s.stepsDone, s.epochsDone]);
      expect(positions).toEqual([
        [0, 1],
        [1, 0],
      ]);
      expect(store.saves[0]!.momentum.length).toBeGreaterThan(0);
      if (recipe.fineTune?.qat) expect(store.saves[0]!.activationQuant).not.toBeNull();
      store.stopAt = undefined;
      const resumed = completed(await run(recipe, store));
      expect(resumed.resumedFrom).toEqual({ stepsDone: 1, epochsDone: 0 });
      expect(metrics(resumed)).toEqual(metrics(straight));
      for (const [name, t] of straight.data.weights)
        expect(resumed.data.weights.get(name)!.data, name).toEqual(t.data);
      expect(resumed.data.activationQuant).toEqual(straight.data.activationQuant);
      straight.network.dispose();
      resumed.network.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('keeps masked weights at zero through every step and reaches the sparsity', async () => {
    const store = new MemoryCheckpoint();
    const seen: PipelineProgress[] = [];
    const r = completed(await run(PLAIN, store, (p) => seen.push(p)));
    expect(store.saves.map((s) => [s.stepsDone, s.epochsDone])).toEqual([
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
    ]);
    for (const s of store.saves) {
      for (const [layer, mask] of s.masks!) {
        const w = s.weights.get(`${layer}.weight`)!.data;
        const leaked = mask.filter((m, i) => m === 0 && w[i] !== 0).length;
        expect(leaked, `${layer} at ${s.stepsDone}/${s.epochsDone}`).toBe(0);
      }
    }
    const last = store.saves.at(-1)!;
    let [zeros, size] = [0, 0];
    for (const layer of prunableLayers(r.network.graph)) {
      const w = r.network.sparseWeights.get(`${layer}.weight`)!.data;
      const mask = last.masks!.get(layer)!;
      expect(mask.filter((m, i) => m === 0 && w[i] !== 0).length, layer).toBe(0);
      zeros += w.filter((v) => v === 0).length;
      size += w.length;
    }
    expect(zeros / size).toBeCloseTo(0.5, 2);
    expect(r.exitThreshold).toBe(0.5);
    expect(r.n).toBe(20);
    expect(r.exitRate).toBeGreaterThanOrEqual(0);
    expect(r.data.info.exitRate).toBe(r.exitRate);
    expect(r.score).toBeGreaterThan(0);
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages).toEqual(['prune', 'fine-tune', 'calibrate', 'evaluate', 'export']);
    const tune = seen.filter((p) => p.stage === 'fine-tune');
    expect(tune.at(-1)!.fraction).toBe(1);
    expect(tune.every((p) => p.etaSeconds! >= 0)).toBe(true);
    r.network.dispose();
  });

  it('finishes a finished run again under another exit threshold, without training', async () => {
    const store = new MemoryCheckpoint();
    const first = completed(await run({ ...FULL, exitThreshold: 0.01 }, store));
    expect(first.exitRate).toBeGreaterThan(0);
    const saves = store.saves.length;
    const again = completed(await run({ ...FULL, exitThreshold: 0.97 }, store));
    expect(store.saves.length).toBe(saves); // no fine-tuning epoch ran
    expect(again.resumedFrom).not.toBeNull();
    expect(again.top1).toBe(first.top1); // the same network …
    expect(again.exitRate).toBeLessThan(first.exitRate); // … exiting less at the higher threshold
    expect(again.exitThreshold).toBe(0.97);
    first.network.dispose();
    again.network.dispose();
  });

  it('refuses to resume a checkpoint made with another recipe', async () => {
    const store = new MemoryCheckpoint();
    store.stopAt = { stepsDone: 0, epochsDone: 1 };
    expect((await run(PLAIN, store)).status).toBe('cancelled');
    await expect(run({ ...PLAIN, sparsity: 0.3 }, store)).rejects.toThrow(
      /checkpoint was made with another recipe: .*"sparsity":0.5.*given .*"sparsity":0.3/,
    );
  });
});
