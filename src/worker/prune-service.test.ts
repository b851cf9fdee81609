// PruneService on the tiny net: live plans (coupled layers of a channel group, exact planned
// parameter counts checked by hand, the score of the recipe without its prune section), the
// eigenbasis plan only with an analysis of the current network, the one-shot prune making the
// smaller network current (origin kept, old one disposed, analysis dropped), and the schedule's
// plumbing with a fake runner: cancel keeps the last finished iteration, resume hands it back.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  channelPlan,
  pruneSchedule,
  type ScheduleOptions,
  type ScheduleResult,
} from '../core/compress/prune/index';
import { scoreModel } from '../core/compress/score-model';
import { pruneChannels } from '../core/compress/structure/index';
import { parseRecords } from '../core/data/cifar-records';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { Network } from '../core/graph/network';
import { countParams, initWeights } from '../core/graph/params';
import { buildTinyNet } from '../core/models/tiny';
import type { PruneSpec } from '../core/recipe/index';
import { CIFAR_DIR } from '../test-paths';
import { AnalysisService } from './analysis-service';
import { CurrentNetwork } from './current-network';
import type { BackendInfo, ScheduleIteration, ScheduleRequest } from './lab-types';
import { PruneService, scheduleProgress, type ScheduleRunner } from './prune-service';

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
  train: records('train.bin', 16),
  test: records('test.bin', 10),
  fineNames: [],
  coarseNames: [],
};
const hooks = (signal = new AbortController().signal) => ({ signal, report: () => undefined });
const channels = (o: Partial<PruneSpec> = {}): PruneSpec => ({
  method: 'channels',
  ratio: 0,
  ...o,
});
const TINY_PARAMS = 30196;
/** conv2's 32 → 16 output channels: conv2 3·3·16·16, bn2 2·16 and conv3's inputs 3·3·16·64. */
const HALF_CONV2 = 2304 + 32 + 9216;

let current = new CurrentNetwork();
afterEach(() => {
  current.network?.dispose();
  current = new CurrentNetwork();
});

function setup(runner: ScheduleRunner | null = null) {
  const graph = buildTinyNet();
  const weights = initWeights(graph, 1);
  const net = current.replace(Network.fromWeights(graph, weights), 'imported', 'tiny.safetensors');
  const analysis = new AnalysisService(backend, current);
  const service = new PruneService(backend, current, analysis, runner);
  return { graph, weights, net, analysis, service };
}

describe('PruneService plans', () => {
  it('channel plan: coupled layers per group, exact planned params, score without prune', async () => {
    const { graph, weights, service } = setup();
    const recipe = { weightBits: 8, prune: channels({ ratio: 0.9 }) };
    const none = await service.plan(channels(), recipe, null);
    expect([none.paramsBefore, none.paramsAfter]).toEqual([TINY_PARAMS, TINY_PARAMS]);
    expect(none.groups.map((g) => [g.id, g.width, g.kept])).toEqual([
      ['conv1', 16, 16],
      ['conv2', 32, 32],
      ['conv3', 64, 64],
    ]);
    const conv2 = none.groups[1]!;
    expect(conv2.producers).toEqual(['conv2']);
    expect([...conv2.layers].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'bn2', role: 'bn' },
      { name: 'conv2', role: 'out' },
      { name: 'conv3', role: 'in' },
    ]);
    const direct = scoreModel(graph, weights, { weightBits: 8 }).score;
    expect(none.scoreBefore).toBeCloseTo(direct, 12);
    expect(none.scoreAfter).toBeCloseTo(direct, 12);

    // Naming the BN of the group sets the whole group's ratio.
    const half = await service.plan(channels({ layerRatios: { bn2: 0.5 } }), recipe, null);
    const g2 = half.groups.find((g) => g.id === 'conv2')!;
    expect([g2.kept, g2.ratio, g2.override]).toEqual([16, 0.5, true]);
    expect(half.paramsAfter).toBe(TINY_PARAMS - HALF_CONV2);
    expect(half.scoreAfter!).toBeLessThan(half.scoreBefore!);
    expect(half.scoreError).toBeNull();

    // The global threshold with a per-layer cap of 25 %: at most 4 / 8 / 16 channels go.
    const global = await service.plan(channels({ ratio: 0.6, limit: 0.25 }), {}, null);
    expect(global.groups.map((g) => g.kept)).toEqual([12, 24, 48]);
    expect(global.groups.every((g) => g.capped)).toBe(true);
    const bad = service.plan(channels({ layerRatios: { nope: 0.5 } }), {}, null);
    await expect(bad).rejects.toThrow("'nope'");
  });

  it('plans are answered as asked, none dropped (the store debounces bursts of edits)', async () => {
    const { service } = setup();
    const [a, b] = await Promise.all([
      service.plan(channels({ ratio: 0.1 }), {}, null),
      service.plan(channels({ ratio: 0.3 }), {}, null),
    ]);
    expect(a.paramsAfter).toBeGreaterThan(b.paramsAfter);
    expect(b.paramsAfter).toBeLessThan(TINY_PARAMS);
  });

  it('eigenbasis plan needs an analysis of the current network', async () => {
    const { service, analysis, graph } = setup();
    const spec: PruneSpec = { method: 'eigenbasis', ratio: 0.5 };
    await expect(service.plan(spec, {}, null)).rejects.toThrow('press Analyse');
    const a = await analysis.analyse(
      { kfacBatches: 1, batchSize: 8, hessianRecords: 0 },
      data,
      hooks(),
    );
    const plan = await service.plan(spec, {}, null);
    expect(plan.analysisId).toBe(a.analysisId);
    expect(plan.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    // The planned count is the old one minus what each factorized layer saves.
    const saved = plan.layers.reduce((s, l) => s + l.paramsBefore - l.paramsAfter, 0);
    expect(plan.layers.some((l) => l.factorize)).toBe(true);
    expect(plan.paramsAfter).toBe(countParams(graph) - saved);
    expect(plan.paramsAfter).toBeLessThan(plan.paramsBefore);
  });
});

describe('PruneService.prune', () => {
  it('makes the smaller network current; the old one is disposed', async () => {
    const { net, service, analysis } = setup();
    await analysis.analyse({ kfacBatches: 1, batchSize: 8, hessianRecords: 0 }, data, hooks());
    const spec = channels({ layerRatios: { conv2: 0.5 } });
    const planned = await service.plan(spec, {}, null);
    const r = await service.prune(spec, hooks());
    expect([r.paramsBefore, r.paramsAfter]).toEqual([TINY_PARAMS, planned.paramsAfter]);
    expect(r.network).toMatchObject({
      name: 'tiny',
      origin: 'imported',
      source: 'tiny.safetensors',
      params: TINY_PARAMS - HALF_CONV2,
    });
    expect(net.disposed).toBe(true);
    expect(current.network).not.toBe(net);
    expect(analysis.validId()).toBeNull(); // the analysis was of the old network
    const logits = tf.tidy(() => current.network!.predict(tf.zeros([2, 32, 32, 3])));
    expect(logits.shape).toEqual([2, 100]);
    logits.dispose();
    // Planning again sees the pruned network.
    expect((await service.plan(channels(), {}, null)).paramsBefore).toBe(r.paramsAfter);
    await expect(service.prune({ method: 'eigenbasis', ratio: 0.2 }, hooks())).rejects.toThrow(
      'press Analyse',
    );
  });

  it('eigenbasis prune uses the kept analysis', async () => {
    const { service, analysis } = setup();
    await analysis.analyse({ kfacBatches: 1, batchSize: 8, hessianRecords: 0 }, data, hooks());
    const spec: PruneSpec = { method: 'eigenbasis', ratio: 0.5 };
    const planned = await service.plan(spec, {}, null);
    const r = await service.prune(spec, hooks());
    expect(r.paramsAfter).toBe(planned.paramsAfter);
    expect(current.network!.paramCount()).toBe(planned.paramsAfter);
    expect(current.network!.graph.nodes.some((n) => n.name === 'conv2.core')).toBe(
      planned.layers.find((l) => l.name === 'conv2')!.factorize,
    );
  });
});

/** A scripted schedule: one iteration per `step()` call, cancellable in between. */
function fakeRunner() {
  const calls: ScheduleOptions[] = [];
  let next: (() => void) | null = null;
  const step = () => next?.();
  const runner: ScheduleRunner = async (o) => {
    calls.push(o);
    const iterations = o.spec.iterations ?? 1;
    let state = o.resume ?? {
      iteration: 0,
      graph: o.graph,
      weights: o.weights,
      history: [],
      lost: {},
    };
    while (state.iteration < iterations) {
      await new Promise<void>((resolve) => (next = resolve));
      if (o.control?.aborted) return { status: 'cancelled', ...state };
      const i = state.iteration + 1;
      const plan = channelPlan(state.graph, state.weights, { ...o.spec, ratio: 0.25 });
      const pruned = pruneChannels(state.graph, state.weights, plan.keep);
      const record: ScheduleIteration = {
        iteration: i,
        step: 'prune',
        params: countParams(pruned.graph),
        top1: 0.5 - i / 10,
      };
      // Iteration 2 grows back too: two records in one iteration.
      const grow: ScheduleIteration[] = i === 2 ? [{ ...record, step: 'grow', top1: 0.45 }] : [];
      state = { ...state, iteration: i, ...pruned, history: [...state.history, record, ...grow] };
      o.onProgress?.({
        iteration: i,
        iterations,
        phase: 'evaluate',
        fraction: i / iterations,
        etaSeconds: 1,
      });
      await o.onIteration?.(state);
    }
    return { status: 'completed', ...state } satisfies ScheduleResult;
  };
  return { calls, step, runner };
}

const REQUEST: ScheduleRequest = {
  resume: false,
  epochs: 1,
  learningRate: 0.01,
  batchSize: 8,
  validationRecords: 4,
  seed: 5,
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('PruneService.schedule', () => {
  it('cancel keeps the last finished iteration; resume continues from it', async () => {
    const fake = fakeRunner();
    const { net, service } = setup(fake.runner);
    const spec = channels({ iterations: 3, growBack: 0.1 });
    const seen: ScheduleIteration[] = [];
    const ctl = new AbortController();
    const run = service.schedule(spec, REQUEST, data, {
      ...hooks(ctl.signal),
      onIteration: (r) => seen.push(r),
    });
    await tick();
    const o = fake.calls[0]!;
    expect([o.train.size, o.validation.size, o.batchSize, o.seed]).toEqual([16, 4, 8, 5]);
    expect(o.fineTune).toEqual({ epochs: 1, learningRate: 0.01, batchSize: 8 });
    fake.step();
    await tick();
    ctl.abort();
    fake.step();
    const cancelled = await run;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.network).toBeNull();
    expect(current.network).toBe(net); // unchanged
    expect(seen.map((r) => r.iteration)).toEqual([1]);
    expect(service.savedSchedule()).toEqual({ iteration: 1, iterations: 3, history: seen });

    // Resume: the saved state and the saved spec (not the one passed now) go on.
    const resumed = service.schedule(channels({ ratio: 0.5 }), { ...REQUEST, resume: true }, data, {
      ...hooks(),
      onIteration: (r) => seen.push(r),
    });
    await tick();
    expect(fake.calls[1]!.resume?.iteration).toBe(1);
    expect(fake.calls[1]!.spec).toEqual(spec);
    fake.step();
    await tick();
    fake.step();
    const done = await resumed;
    expect(done.status).toBe('completed');
    expect(done.history.map((h) => `${h.iteration}${h.step}`)).toEqual([
      '1prune',
      '2prune',
      '2grow',
      '3prune',
    ]);
    expect(seen).toEqual(done.history); // every record streamed once, the grow step too
    expect(done.network!.params).toBe(done.history[3]!.params);
    expect(current.network!.paramCount()).toBe(done.paramsAfter);
    expect(done.paramsBefore).toBe(TINY_PARAMS);
    expect(net.disposed).toBe(true);
    expect(service.savedSchedule()).toBeNull();
  });

  it('runs the real schedule (prune only, one iteration) and installs its network', async () => {
    const { service } = setup(pruneSchedule);
    const spec = channels({ ratio: 0.25, iterations: 1 });
    const seen: ScheduleIteration[] = [];
    const r = await service.schedule(spec, { ...REQUEST, epochs: 0 }, data, {
      ...hooks(),
      onIteration: (x) => seen.push(x),
    });
    expect(r.status).toBe('completed');
    expect(seen).toEqual(r.history);
    expect(r.history).toHaveLength(1);
    expect(r.paramsAfter).toBeLessThan(TINY_PARAMS);
    expect(r.history[0]!.params).toBe(r.paramsAfter);
    expect(current.network!.paramCount()).toBe(r.paramsAfter);
  });

  it('refuses what it cannot run', async () => {
    const { service } = setup(null);
    const h = { ...hooks(), onIteration: () => undefined };
    await expect(service.schedule(channels(), REQUEST, data, h)).rejects.toThrow('not available');
    const fake = fakeRunner();
    const { service: s2 } = setup(fake.runner);
    await expect(s2.schedule(channels(), { ...REQUEST, resume: true }, data, h)).rejects.toThrow(
      'No unfinished schedule',
    );
    await expect(s2.schedule(channels(), { ...REQUEST, epochs: -1 }, data, h)).rejects.toThrow(
      'fine-tune epochs must be a whole number ≥ 0, got -1',
    );
    const noTrain = { ...data, train: undefined };
    await expect(s2.schedule(channels(), REQUEST, noTrain, h)).rejects.toThrow('train split');
  });

  it('reports overall progress with the iteration and phase', () => {
    expect(
      scheduleProgress({
        iteration: 2,
        iterations: 4,
        phase: 'fine-tune',
        fraction: 0.375,
        etaSeconds: 9,
      }),
    ).toEqual({
      phase: 'iteration 2 of 4: fine-tune',
      done: 37.5,
      total: 100,
      unit: '%',
      etaSeconds: 9,
    });
  });
});
