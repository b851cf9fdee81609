// SensitivityService: the Score panel's sensitivity job and planner call. One run of the real
// core (tiny net, real CIFAR-100 records, cpu backend) checks that the validation slice is the
// FIRST N test records and that the report comes back as plain data; a recording core checks the
// rest of the plumbing (calibration on the train split, options, the kept report tied to its
// network, requests refused with the bad value named).
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { planRecipe } from '../core/compress/plan/index';
import { scoreModel } from '../core/compress/score-model';
import { measureSensitivity } from '../core/compress/sensitivity/index';
import { parseRecords } from '../core/data/cifar-records';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { Network } from '../core/graph/network';
import { buildTinyNet } from '../core/models/tiny';
import { cifarSource } from '../core/train/cifar-source';
import { evaluateNetwork } from '../core/train/evaluate-network';
import { CIFAR_DIR } from '../test-paths';
import { CurrentNetwork } from './current-network';
import type { BackendInfo, JobProgress } from './lab-types';
import {
  checkPlanRequest,
  SensitivityService,
  type CorePlanOptions,
  type CoreSensitivityOptions,
  type SensitivityCore,
} from './sensitivity-service';
import type { PlanResult, SensitivityReport } from '../protocol/sensitivity';

const backend = (): Promise<BackendInfo> =>
  Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });

function records(file: string, n: number): CifarSplit {
  const fd = fs.openSync(path.join(CIFAR_DIR, file), 'r');
  const bytes = new Uint8Array(n * 3074);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return parseRecords(bytes, file);
}

const data: CifarDataset = {
  train: records('train.bin', 20),
  test: records('test.bin', 30),
  fineNames: [],
  coarseNames: [],
};

let current = new CurrentNetwork();
afterEach(() => {
  current.network?.dispose();
  current = new CurrentNetwork();
});

function hooks(signal = new AbortController().signal) {
  const seen: JobProgress[] = [];
  return { seen, h: { signal, report: (p: JobProgress) => seen.push(p) } };
}

const noPlan = (): PlanResult => {
  throw new Error('not called');
};

describe('SensitivityService', () => {
  it('runs the core on the first N test records and keeps the report', async () => {
    const net = current.replace(Network.fromInit(buildTinyNet(), 1), 'initialised');
    const service = new SensitivityService(backend, current, { measureSensitivity, planRecipe });
    const { seen, h } = hooks();
    const before = tf.memory().numTensors;
    const r = await service.measure(
      { images: 12, recipe: {}, bits: [2], sparsities: [0.5], hessian: false, batchSize: 6 },
      data,
      h,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(r.n).toBe(12);
    expect(r.calibratedOn).toBe('train');
    expect(r.layers.map((l) => [l.layer, l.bits.length, l.sparsity.length])).toEqual([
      ['conv1', 1, 1],
      ['conv2', 1, 1],
      ['conv3', 1, 1],
      ['fc', 1, 1],
    ]);
    // The base figures are those of the first 12 test records.
    const head = { ...cifarSource(data.test!, null), size: 12 };
    const ref = await evaluateNetwork(net, head, { batchSize: 6 });
    expect(r.base.top1).toBeCloseTo(ref.top1, 6);
    expect(r.base.loss).toBeCloseTo(ref.loss, 4);
    expect(seen.at(-1)).toMatchObject({ unit: 'runs' });
    expect(seen.some((p) => p.phase === 'conv2')).toBe(true);
    expect(service.validId()).toBe(r.reportId);
    // The real planner on that report: a recipe under the target, counted by the real counter.
    const weights = await net.toWeightsAsync();
    const asIs = scoreModel(net.graph, weights, { weightBits: 8 }).score;
    const plan = await service.plan({ reportId: r.reportId, targetScore: asIs });
    expect(plan.feasible).toBe(true);
    expect(scoreModel(net.graph, weights, plan.recipe).score).toBeLessThanOrEqual(asIs);
    expect(plan.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    // Training changed the weights: the report is forgotten.
    service.invalidate(net);
    expect(service.validId()).toBeNull();
  });

  it('passes calibration and options through; plans only with the current report', async () => {
    const seen: { sens: CoreSensitivityOptions[]; plans: CorePlanOptions[] } = {
      sens: [],
      plans: [],
    };
    const report: SensitivityReport = {
      n: 5,
      base: { loss: 1, top1: 0.5 },
      layers: [],
      recipe: {},
      seconds: 0,
    };
    const planned: PlanResult = {
      recipe: { weightBits: 4 },
      score: 0.001,
      feasible: true,
      predictedTop1: 0.4,
      predictedLossIncrease: 0.2,
      layers: [],
    };
    const core: SensitivityCore = {
      measureSensitivity: (_net, o) => {
        seen.sens.push(o);
        return Promise.resolve(report);
      },
      planRecipe: (o) => {
        seen.plans.push(o);
        return planned;
      },
    };
    const net = current.replace(Network.fromInit(buildTinyNet(), 2), 'initialised');
    const service = new SensitivityService(backend, current, core);
    await expect(service.plan({ reportId: 1, targetScore: 0.01 })).rejects.toThrow(
      'The sensitivity belongs to an earlier network: measure it again first',
    );
    const r = await service.measure({ images: 5, recipe: { activationBits: 8 } }, data, hooks().h);
    const o = seen.sens[0]!;
    expect([o.source.size, o.calibration?.size, o.batchSize]).toEqual([5, 20, 100]);
    expect(o.base).toEqual({ activationBits: 8 });
    expect(o.hessian).toBeUndefined(); // the core's default
    const p = await service.plan({
      reportId: r.reportId,
      targetScore: 0.002,
      exitRate: 0.3,
      base: { activationBits: 8 },
    });
    // The plan, plus each layer's zero fraction under the base recipe (no pruning: its own zeros).
    const { baseSparsity, ...rest } = p;
    expect(rest).toEqual(planned);
    expect(Object.keys(baseSparsity)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    expect(baseSparsity.conv1).toBe(0);
    const q = seen.plans[0]!;
    expect(q.report).toBe(report);
    expect(q.graph).toBe(net.graph);
    expect([q.targetScore, q.exitRate, q.base]).toEqual([0.002, 0.3, { activationBits: 8 }]);
    expect(q.weights.get('conv1.weight')?.data.length).toBe(16 * 3 * 9);
    await expect(service.plan({ reportId: r.reportId + 1, targetScore: 0.01 })).rejects.toThrow(
      `plan: sensitivity report ${r.reportId + 1} is not the current one (${r.reportId})`,
    );
  });

  it('refuses bad requests, naming the value', async () => {
    current.replace(Network.fromInit(buildTinyNet(), 3), 'initialised');
    const service = new SensitivityService(backend, current, {
      measureSensitivity: () => Promise.reject(new Error('not called')),
      planRecipe: noPlan,
    });
    const ask = (images: number) => service.measure({ images, recipe: {} }, data, hooks().h);
    await expect(ask(31)).rejects.toThrow('sensitivity: 31 images asked, the test split has 30');
    await expect(ask(0)).rejects.toThrow('sensitivity: images must be a whole number ≥ 1, got 0');
    await expect(
      service.measure({ images: 4, recipe: { weightBits: 40 } }, data, hooks().h),
    ).rejects.toThrow('recipe.weightBits');
    await expect(
      service.measure({ images: 4, recipe: {} }, { ...data, test: undefined }, hooks().h),
    ).rejects.toThrow('No test split loaded');
    expect(() => checkPlanRequest({ reportId: 1 })).toThrow(
      'plan: give exactly one of a target score or an accuracy floor, got undefined / undefined',
    );
    expect(() => checkPlanRequest({ reportId: 1, targetScore: 0.1, accuracyFloor: 0.5 })).toThrow(
      'got 0.1 / 0.5',
    );
    expect(() => checkPlanRequest({ reportId: 1, targetScore: 0 })).toThrow('got 0');
    expect(() => checkPlanRequest({ reportId: 1, accuracyFloor: 1.5 })).toThrow('got 1.5');
  });
});
