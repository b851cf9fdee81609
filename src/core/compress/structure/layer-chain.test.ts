// Layer chains: every form of a rotated-and-truncated layer computes the same map as the plain
// layer with the projected weights P_G W P_A, has the hand-counted parameters, runs, scores,
// folds its BN and round-trips through a lab checkpoint; the two-factor form of a 1×1 conv is
// smaller than the conv exactly when r < c_in·c_out/(c_in + c_out).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceGraph } from '../../graph/inference-graph';
import { countParams } from '../../graph/params';
import { readLabCheckpoint, writeLabCheckpoint } from '../../io/lab-checkpoint';
import { buildScoreTable } from '../../score';
import { buildChainNet, projectTaps, tapsOf, withTaps } from './chain.test-helpers';
import { eigenView, truncatedChain } from './eigen-chain';
import {
  chainDims,
  cheapestForm,
  collapseChain,
  effectiveWeights,
  eigenLayerNames,
  formParams,
  readChain,
  writeChain,
  type ChainForm,
} from './layer-chain';
import {
  maxAbs,
  maxAbsDiff,
  randomInput,
  randomOrthogonal,
  randomWeights,
  runEval,
} from './structure.test-helpers';

const graph = buildChainNet();
const weights = randomWeights(graph, 21);
const range = (n: number) => [...Array(n).keys()];

describe('layer chains', () => {
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

  /** Output of the network with `layer` replaced vs with its weights set to the reference taps. */
  function outputGap(g: typeof graph, w: typeof weights, layer: string, ref: number[][][]) {
    const [a] = runEval(g, w, x);
    const [b] = runEval(graph, withTaps(weights, layer, ref), x);
    return maxAbsDiff(a!, b!) / Math.max(1, maxAbs(b!));
  }

  it('reads and writes a plain layer unchanged', () => {
    const c = readChain(graph, weights, 'conv3');
    expect([c.cIn, c.cOut, c.taps, c.p, c.q, c.basisIn, c.basisOut]).toEqual([
      24,
      32,
      9,
      24,
      32,
      null,
      null,
    ]);
    const r = writeChain(graph, weights, c);
    expect(r.graph.nodes).toEqual(graph.nodes);
    expect(r.weights.get('conv3.weight')!.data).toEqual(weights.get('conv3.weight')!.data);
  });

  it('the 3×3 stride-2 conv in every form: same map as P_G W P_A, hand-counted weights', () => {
    const qA = randomOrthogonal(24, 1);
    const qG = randomOrthogonal(32, 2);
    const keepA = [0, 2, 3, 5, 8, 13, 21];
    const keepG = [31, 1, 4, 9, 16, 25];
    const c = readChain(graph, weights, 'conv3');
    const t = truncatedChain(c, eigenView(c, qA, qG), keepA, keepG);
    const ref = projectTaps(tapsOf(weights.get('conv3.weight')!), qA, qG, keepA, keepG);
    const [rA, rG] = [7, 6];
    const expected: Record<ChainForm, [number, string[]]> = {
      tucker: [24 * rA + 9 * rA * rG + rG * 32, ['conv3.basis_in', 'conv3.core', 'conv3']],
      'basis-in': [24 * rA + 9 * rA * 32, ['conv3.basis_in', 'conv3']],
      'basis-out': [9 * 24 * rG + rG * 32, ['conv3.core', 'conv3']],
      plain: [9 * 24 * 32, ['conv3']],
    };
    for (const [form, [params, names]] of Object.entries(expected) as [
      ChainForm,
      [number, string[]],
    ][]) {
      const f = collapseChain(t, form);
      expect(maxAbsDiff(effectiveWeights(f), Float64Array.from(ref.flat(2)))).toBeLessThan(1e-9);
      expect(formParams(form, c, rA, rG)).toBe(params);
      const r = writeChain(graph, weights, f);
      const at = r.graph.nodes.findIndex((n) => n.name === names[0]);
      expect(r.graph.nodes.slice(at, at + names.length).map((n) => n.name)).toEqual(names);
      expect(r.graph.nodes[at + names.length]!.name).toBe('bn3');
      expect(countParams(r.graph) - countParams(graph)).toBe(params - 9 * 24 * 32);
      expect(chainDims(r.graph, 'conv3')).toMatchObject({ form, params, cIn: 24, cOut: 32 });
      expect(outputGap(r.graph, r.weights, 'conv3', ref)).toBeLessThan(1e-4);
    }
    const core = writeChain(graph, weights, collapseChain(t, 'tucker')).graph.nodes.find(
      (n) => n.name === 'conv3.core',
    )!.spec;
    expect(core).toMatchObject({
      kernel: 3,
      stride: 2,
      inChannels: rA,
      outChannels: rG,
      bias: false,
    });
  });

  it('a 1×1 conv: the two-factor form reproduces the truncation and is smaller iff r < c_in·c_out/(c_in + c_out)', () => {
    const qA = randomOrthogonal(16, 3);
    const qG = randomOrthogonal(24, 4);
    const c = readChain(graph, weights, 'pw');
    const v = eigenView(c, qA, qG);
    const W = tapsOf(weights.get('pw.weight')!);
    // 16·24/(16 + 24) = 9.6: rank 9 is smaller than the conv (384 weights), rank 10 is not.
    for (const [r, smaller] of [
      [9, true],
      [10, false],
    ] as const) {
      const keepA = [0, 1, 3, 4, 6, 8, 10, 12, 15, 14].slice(0, r);
      const best = cheapestForm(c, r, 24, ['basis-in', 'basis-out', 'tucker']);
      expect(best).toEqual({ form: 'basis-in', params: r * (16 + 24) });
      expect(best.params < 16 * 24).toBe(smaller);
      const f = collapseChain(truncatedChain(c, v, keepA, range(24)), 'basis-in');
      const r2 = writeChain(graph, weights, f);
      expect(
        r2.graph.nodes.filter((n) => n.name.startsWith('pw')).map((n) => [n.name, n.spec]),
      ).toEqual([
        [
          'pw.basis_in',
          expect.objectContaining({ kernel: 1, inChannels: 16, outChannels: r, bias: false }),
        ],
        ['pw', expect.objectContaining({ kernel: 1, inChannels: r, outChannels: 24, bias: true })],
      ]);
      expect(countParams(r2.graph) - countParams(graph)).toBe(r * 40 - 384);
      expect(r2.weights.get('pw.bias')!.data).toEqual(weights.get('pw.bias')!.data);
      expect(
        outputGap(r2.graph, r2.weights, 'pw', projectTaps(W, qA, qG, keepA, range(24))),
      ).toBeLessThan(1e-4);
    }
    // Output side kept to r rows instead: the core merges with Q_Aᵀ ('basis-out').
    const keepG = [0, 3, 5, 7, 11, 13, 17, 19, 23];
    const f = collapseChain(truncatedChain(c, v, range(16), keepG), 'basis-out');
    expect(cheapestForm(c, 16, 9, ['basis-in', 'basis-out', 'tucker']).form).toBe('basis-out');
    const r3 = writeChain(graph, weights, f);
    expect(r3.graph.nodes.filter((n) => n.name.startsWith('pw')).map((n) => n.name)).toEqual([
      'pw.core',
      'pw',
    ]);
    expect(countParams(r3.graph) - countParams(graph)).toBe(9 * 40 - 384);
    expect(
      outputGap(r3.graph, r3.weights, 'pw', projectTaps(W, qA, qG, range(16), keepG)),
    ).toBeLessThan(1e-4);
  });

  it('factorized layers: main nodes, scoring, BN folding, lab checkpoint, bad structure', () => {
    const c = readChain(graph, weights, 'pw');
    const v = eigenView(c, randomOrthogonal(16, 5), randomOrthogonal(24, 6));
    const one = writeChain(
      graph,
      weights,
      collapseChain(truncatedChain(c, v, range(5), range(24)), 'basis-in'),
    );
    const c3 = readChain(one.graph, one.weights, 'conv3');
    const v3 = eigenView(c3, randomOrthogonal(24, 7), randomOrthogonal(32, 8));
    const f = writeChain(one.graph, one.weights, truncatedChain(c3, v3, range(6), range(7)));
    expect(eigenLayerNames(f.graph)).toEqual(['conv1', 'pw', 'conv3.core', 'fc']);
    expect(chainDims(f.graph, 'pw')).toMatchObject({ main: 'pw', form: 'basis-in', p: 5, q: 24 });
    const table = buildScoreTable(f.graph);
    const rows = ['pw.basis_in', 'pw', 'conv3.basis_in', 'conv3.core', 'conv3'].map(
      (n) => table.rows[table.prunable.get(n)!]!.weights,
    );
    expect(rows).toEqual([16 * 5, 5 * 24, 24 * 6, 9 * 6 * 7, 7 * 32]);
    const inf = inferenceGraph(f.graph, f.weights);
    expect(inf.graph.nodes.some((n) => n.name === 'bn2' || n.name === 'bn3')).toBe(false);
    const [a] = runEval(inf.graph, inf.weights, x);
    const [b] = runEval(f.graph, f.weights, x);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(b!)));
    const ck = readLabCheckpoint(writeLabCheckpoint(f.graph, f.weights));
    expect(ck.graph).toEqual(f.graph);
    // Read back from the checkpoint, the chain is the same chain.
    expect(
      maxAbsDiff(
        effectiveWeights(readChain(ck.graph, ck.weights, 'conv3')),
        effectiveWeights(readChain(f.graph, f.weights, 'conv3')),
      ),
    ).toBe(0);
    const clash = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.name === 'conv1' ? { ...n, name: 'pw.basis_in' } : n)),
    };
    expect(() => chainDims(clash, 'pw')).toThrow("'pw.basis_in' must be 1×1 without bias");
    expect(() => readChain(graph, weights, 'bn2')).toThrow(
      "layer chain: 'bn2' is batchnorm, not conv2d or dense",
    );
  });
});
