import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Weights } from '../../graph/ir';
import { countParams } from '../../graph/params';
import { readLabCheckpoint, writeLabCheckpoint } from '../../io/lab-checkpoint';
import { buildOsiMicronet, osiBlockPlan } from '../../models/osi-micronet';
import { buildPyramidNet } from '../../models/pyramidnet';
import { buildCifarResNet } from '../../models/resnet';
import { buildScoreTable, scoreNetwork } from '../../score';
import { channelGroups, type ChannelGroup } from './channel-groups';
import { channelImportance, keepByRatio } from './channel-importance';
import { pruneChannels } from './prune-channels';
import {
  maxAbs,
  maxAbsDiff,
  randomInput,
  randomWeights,
  runEval,
  silenceChannels,
} from './structure.test-helpers';

/** Keep sets dropping one channel (the middle one) of every prunable group. */
function dropOneEach(groups: ChannelGroup[]): Record<string, number[]> {
  const keep: Record<string, number[]> = {};
  for (const g of groups.filter((x) => x.prunable)) {
    const drop = Math.floor(g.width / 2);
    keep[g.id] = Array.from({ length: g.width }, (_, j) => j).filter((j) => j !== drop);
  }
  return keep;
}

/**
 * PyramidNet-20 bottleneck α 48 parameters from its widths alone: stem conv 3×3 3→s + BN; per
 * block BN(in), 1×1 in→p, BN(p), 3×3 p→p, BN(p), 1×1 p→out, BN(out); BN(final), fc.
 * `cut` channels come off every inner group; the stream after block i loses cut·(i + 2)
 * channels (the stem segment plus one segment per block so far).
 */
function pyramidParams(cut: number): number {
  const planes = [24, 32, 40, 48, 56, 64];
  let inC = 16 - cut;
  let total = 27 * inC + 2 * inC;
  planes.forEach((p0, i) => {
    const p = p0 - cut;
    const out = 4 * p0 - cut * (i + 2);
    total += 2 * inC + inC * p + 2 * p + 9 * p * p + 2 * p + p * out + 2 * out;
    inC = out;
  });
  return total + 2 * inC + inC * 100 + 100;
}

/**
 * OSI MicroNet parameters from its plan: every prunable group loses `cut` channels (stem,
 * expansions, SE squeezes, stream groups, head and exit widths); stem-joined block 0 expands
 * nothing. Residual blocks share their input's stream group, so they lose `cut` once.
 */
function osiParams(cut: number): number {
  const stem = 24 - cut;
  let total = 27 * stem + 2 * stem;
  let inC = stem;
  let exitIn = 0;
  osiBlockPlan().forEach((b, i) => {
    const e = b.expanded === b.inChannels ? inC : b.expanded - cut;
    const q = b.squeezed - cut;
    const out = b.outChannels - cut;
    if (b.expanded !== b.inChannels) total += inC * e + 2 * e;
    total += 9 * e + 2 * e + (e * q + q) + (q * e + e) + e * out + 2 * out;
    inC = out;
    if (i === 4) exitIn = out;
  });
  const head = 136 - cut;
  total += inC * head + 2 * head + head * 100 + 100;
  return total + 9 * exitIn + 2 * exitIn + exitIn * head + 2 * head + head * 100 + 100;
}

describe('pruneChannels on PyramidNet-20 (bottleneck, α 48, 8×8 inputs)', () => {
  const graph = buildPyramidNet({ depth: 20, alpha: 48, bottleneck: true, inputSize: 8 });
  const weights = randomWeights(graph, 3);
  const groups = channelGroups(graph);
  let x: tf.Tensor4D;
  let before = 0;
  beforeAll(() => {
    before = tf.memory().numTensors;
    x = randomInput([2, 8, 8, 3], 5);
  });
  afterAll(() => {
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the hand formula reproduces the unpruned count', () => {
    expect(pyramidParams(0)).toBe(countParams(graph));
  });

  it('pruning one channel of every prunable group gives exactly the predicted count', () => {
    const pruned = pruneChannels(graph, weights, dropOneEach(groups));
    expect(countParams(pruned.graph)).toBe(pyramidParams(1));
    expect(pyramidParams(1)).toBeLessThan(pyramidParams(0));
    const pad = pruned.graph.nodes.find((n) => n.name === 'layer1.1.shortcut_pad')!.spec;
    expect(pad).toEqual({ op: 'padchannels', channels: 128 - 3 });
    const [y] = runEval(pruned.graph, pruned.weights, x);
    expect(y!.length).toBe(2 * 100);
    expect(y!.every(Number.isFinite)).toBe(true);
  });

  it('pruning nothing leaves the graph, weights and outputs identical', () => {
    const same = pruneChannels(graph, weights, {});
    expect(same.graph).toEqual(graph);
    for (const [k, v] of weights) expect(same.weights.get(k)).toBe(v);
    const keepAll = Object.fromEntries(groups.map((g) => [g.id, [...Array(g.width).keys()]]));
    const all = pruneChannels(graph, weights, keepAll);
    expect(runEval(all.graph, all.weights, x)[0]).toEqual(runEval(graph, weights, x)[0]);
  });

  it('computes what the unpruned net computes with the removed channels silenced', () => {
    const keep = keepByRatio(groups, channelImportance(graph, weights, groups), 0.3);
    expect(Object.keys(keep)).toHaveLength(19); // every prunable group
    const pruned = pruneChannels(graph, weights, keep);
    const silenced = silenceChannels(graph, weights, groups, keep);
    const [a] = runEval(pruned.graph, pruned.weights, x);
    const [b] = runEval(graph, silenced, x);
    const [orig] = runEval(graph, weights, x);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-5 * Math.max(1, maxAbs(b!)));
    expect(maxAbsDiff(a!, orig!)).toBeGreaterThan(1e-3); // the pruning did change the function
  });

  it('the pruned net round-trips through a lab checkpoint and scores on its new shapes', () => {
    const pruned = pruneChannels(graph, weights, dropOneEach(groups));
    const ck = readLabCheckpoint(writeLabCheckpoint(pruned.graph, pruned.weights));
    expect(ck.graph).toEqual(pruned.graph);
    for (const [k, v] of pruned.weights) expect(ck.weights.get(k)!.data).toEqual(v.data);
    const table = buildScoreTable(pruned.graph);
    for (const [name, i] of table.prunable) {
      const w = pruned.weights.get(`${name}.weight`)!;
      expect(table.rows[i]!.weights).toBe(w.data.length);
    }
    const full = scoreNetwork(buildScoreTable(graph)).score;
    expect(scoreNetwork(table).score).toBeLessThan(full);
  });

  it('fails fast on unknown, frozen, empty or out-of-range keep sets', () => {
    expect(() => pruneChannels(graph, weights, { nope: [0] })).toThrow(/no channel group 'nope'/);
    expect(() => pruneChannels(graph, weights, { fc: [0] })).toThrow(/'fc' is frozen.*logits/);
    expect(() => pruneChannels(graph, weights, { conv1: [] })).toThrow(/every channel/);
    expect(() => pruneChannels(graph, weights, { conv1: [16] })).toThrow(/index 16/);
    expect(() => pruneChannels(graph, weights, { conv1: [1, 1] })).toThrow(/repeats/);
  });
});

describe('pruneChannels on ResNet-20 option A (front padding)', () => {
  it('keeps the padchannels front offset consistent and matches the silenced net', () => {
    const graph: Graph = buildCifarResNet({ depth: 20, inputSize: 8 });
    const weights: Weights = randomWeights(graph, 4);
    const groups = channelGroups(graph);
    const zeros = groups.find((g) => g.id === 'layer2.0.conv2#0')!;
    const keep = { ...dropOneEach(groups), [zeros.id]: [1, 2, 3, 8, 9] }; // 3 front zeros of 8
    const pruned = pruneChannels(graph, weights, keep);
    const pad = pruned.graph.nodes.find((n) => n.name === 'layer2.0.shortcut_pad')!.spec;
    expect(pad).toEqual({ op: 'padchannels', channels: 15 + 5, front: 3 });
    const x = randomInput([2, 8, 8, 3], 6);
    const [a] = runEval(pruned.graph, pruned.weights, x);
    const [b] = runEval(graph, silenceChannels(graph, weights, groups, keep), x);
    x.dispose();
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-5 * Math.max(1, maxAbs(b!)));
  });
});

describe('pruneChannels on the OSI-AI MicroNet (depthwise, SE, early exit)', () => {
  const graph = buildOsiMicronet();
  const weights = randomWeights(graph, 7);
  const groups = channelGroups(graph);

  it('the hand formula reproduces the unpruned count', () => {
    expect(osiParams(0)).toBe(countParams(graph));
  });

  it('one channel off every prunable group: predicted count, runs, equals the silenced net', () => {
    const before = tf.memory().numTensors;
    const keep = dropOneEach(groups);
    const pruned = pruneChannels(graph, weights, keep);
    expect(countParams(pruned.graph)).toBe(osiParams(1));
    const x = randomInput([1, 32, 32, 3], 8);
    const [main, exit] = runEval(pruned.graph, pruned.weights, x);
    const [refMain, refExit] = runEval(graph, silenceChannels(graph, weights, groups, keep), x);
    x.dispose();
    expect(main!.length).toBe(100);
    expect(exit!.length).toBe(100);
    expect(maxAbsDiff(main!, refMain!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(refMain!)));
    expect(maxAbsDiff(exit!, refExit!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(refExit!)));
    const table = buildScoreTable(pruned.graph);
    expect(table.hasExit).toBe(true);
    expect(scoreNetwork(table, {}, { exitRate: 0.5 }).score).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
