// The prune → fine-tune → grow-back schedule on a tiny net with synthetic data: parameters shrink
// each iteration, grow steps add back the asked share, the progress moves within each fine-tune,
// the stopping rule and resume work.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, initWeights } from '../../graph/params';
import { buildTinyNet } from '../../models/tiny';
import { syntheticSource } from '../../train/synthetic-source';
import { Network } from '../../graph/network';
import { chainDims, eigenLayerNames } from '../structure';
import { pruneSchedule, type ScheduleState } from './prune-schedule';

const graph = buildTinyNet({ inputSize: 8, numClasses: 10 });
const weights = initWeights(graph, 11);
const data = syntheticSource({ size: 48, numClasses: 10, seed: 4 });
const base = {
  graph,
  weights,
  train: data,
  validation: data,
  batchSize: 16,
  seed: 1,
  maxFineTuneSteps: 2,
};

describe('pruneSchedule', () => {
  it('prunes each iteration, grows back a share, reports every step; no tensor growth', async () => {
    const before = tf.memory().numTensors;
    const states: ScheduleState[] = [];
    const phases = new Set<string>();
    const fractions: number[] = [];
    const r = await pruneSchedule({
      ...base,
      spec: { method: 'channels', ratio: 0.3, iterations: 2, growBack: 0.5 },
      onIteration: (s) => void states.push(s),
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.steps) phases.add(`${p.phase} step`);
        fractions.push(p.fraction);
      },
    });
    // The progress moves within the fine-tunes too, and never back.
    expect([...phases]).toEqual(expect.arrayContaining(['fine-tune step', 'grow step']));
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(r.status).toBe('completed');
    expect(r.history.map((h) => [h.iteration, h.step])).toEqual([
      [1, 'prune'],
      [1, 'grow'],
      [2, 'prune'],
      [2, 'grow'],
    ]);
    const [p1, g1, p2] = r.history;
    expect(p1!.params).toBeLessThan(countParams(graph));
    expect(g1!.params).toBeGreaterThan(p1!.params); // grow re-adds channels
    expect(g1!.params).toBeLessThan(countParams(graph));
    expect(p2!.params).toBeLessThan(g1!.params);
    expect(countParams(r.graph)).toBe(r.history.at(-1)!.params);
    expect(states.map((s) => s.iteration)).toEqual([1, 2]);
    expect([...phases]).toEqual(expect.arrayContaining(['prune', 'fine-tune', 'evaluate', 'grow']));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('eigenbasis: 2 iterations with grow-back; layers factorized in the first are pruned again', async () => {
    const before = tf.memory().numTensors;
    const states: ScheduleState[] = [];
    const r = await pruneSchedule({
      ...base,
      spec: { method: 'eigenbasis', ratio: 0.4, iterations: 2, growBack: 0.5, analysisBatches: 1 },
      onIteration: (s) => void states.push(s),
    });
    expect(r.status).toBe('completed');
    expect(r.history.map((h) => [h.iteration, h.step])).toEqual([
      [1, 'prune'],
      [1, 'grow'],
      [2, 'prune'],
      [2, 'grow'],
    ]);
    const [p1, g1, p2, g2] = r.history.map((h) => h.params);
    expect(p1).toBeLessThan(countParams(graph));
    expect(g1).toBeGreaterThan(p1!); // directions re-added
    expect(g1).toBeLessThan(countParams(graph));
    expect(p2).toBeLessThan(g1!);
    expect(g2).toBeGreaterThan(p2!);
    expect(countParams(states[0]!.graph)).toBe(g1);
    expect(countParams(r.graph)).toBe(g2);
    // Iteration 2 analyses the main nodes (a factorized layer's core) and shrinks one of them.
    const mains = eigenLayerNames(states[0]!.graph);
    expect(
      mains.some((m) => m.endsWith('.core') || chainDims(states[0]!.graph, m).form !== 'plain'),
    ).toBe(true);
    const width = (g: typeof graph, name: string) => {
      const d = chainDims(g, name);
      return d.p + d.q;
    };
    const shrunk = ['conv1', 'conv2', 'conv3', 'fc'].filter(
      (n) =>
        chainDims(states[0]!.graph, n).form !== 'plain' &&
        width(r.graph, n) < width(states[0]!.graph, n),
    );
    expect(shrunk.length).toBeGreaterThan(0);
    const net = Network.fromWeights(r.graph, r.weights);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5);
    const y = net.predict(x as tf.Tensor4D);
    expect(y.shape).toEqual([2, 10]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumes from a saved state, and stops below the target accuracy', async () => {
    let saved: ScheduleState | undefined;
    await pruneSchedule({
      ...base,
      spec: { method: 'channels', ratio: 0.3, iterations: 1 },
      onIteration: (s) => void (saved = s),
    });
    const resumed = await pruneSchedule({
      ...base,
      spec: { method: 'channels', ratio: 0.3, iterations: 2 },
      resume: saved,
    });
    expect(resumed.history.map((h) => h.iteration)).toEqual([1, 2]);
    expect(resumed.history[0]).toEqual(saved!.history[0]);
    const stopped = await pruneSchedule({
      ...base,
      spec: { method: 'channels', ratio: 0.3, iterations: 3, targetAccuracy: 1 },
    });
    expect(stopped.status).toBe('stopped');
    expect(stopped.graph).toBe(graph); // nothing met the target: the input network comes back
  });

  it('fine-tuning keeps the existing zeros of the weights at zero', async () => {
    const sparse = new Map(weights);
    const w = weights.get('conv2.weight')!;
    const data = w.data.map((v, i) => (i % 3 === 0 ? 0 : v));
    sparse.set('conv2.weight', { shape: w.shape, data });
    const r = await pruneSchedule({
      ...base,
      weights: sparse,
      spec: { method: 'channels', ratio: 0, iterations: 1 },
    });
    const after = r.weights.get('conv2.weight')!.data;
    expect(after.filter((v, i) => i % 3 === 0 && v !== 0)).toHaveLength(0);
    expect(after.filter((v, i) => i % 3 !== 0 && v !== data[i])).not.toHaveLength(0); // it did train
  });
});
