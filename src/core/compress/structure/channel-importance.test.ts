import { describe, expect, it } from 'vitest';
import type { Graph, Weights } from '../../graph/ir';
import { countParams } from '../../graph/params';
import { GraphBuilder } from '../../models/graph-builder';
import { buildTinyNet } from '../../models/tiny';
import { channelGroups } from './channel-groups';
import { channelImportance, keepByRatio, keepTop } from './channel-importance';
import { pruneChannels } from './prune-channels';
import {
  maxAbsDiff,
  randomInput,
  randomWeights,
  runEval,
  silenceChannels,
} from './structure.test-helpers';

/** input 4×4×2 → a: 1×1 2→3 (bias), b: 3×3 2→2 → concat(a, b, a) → c: 1×1 8→4 → flatten → fc 64→5. */
function concatNet(): Graph {
  const b = new GraphBuilder();
  const x = b.input(4, 2);
  const a = b.conv('a', x, { in: 2, out: 3, k: 1, bias: true });
  const bb = b.conv('b', x, { in: 2, out: 2, k: 3 });
  const cat = b.add('cat', { op: 'concat' }, [a, bb, a]);
  const c = b.conv('c', cat, { in: 8, out: 4, k: 1 });
  const f = b.add('flat', { op: 'flatten' }, [c]);
  return b.build(
    'concat-net',
    5,
    b.add('fc', { op: 'dense', inFeatures: 64, outFeatures: 5, bias: true }, [f]),
  );
}

describe('channelImportance (L1 summed over a group)', () => {
  it('adds the producer filters and the consumer input slices, |w| of signed values', () => {
    const graph = buildTinyNet({ inputSize: 8 });
    const weights: Weights = new Map(randomWeights(graph, 1));
    const w1 = weights.get('conv1.weight')!;
    // conv1 [3,3,3,16]: filter o holds ±(o+1) → L1 = 27·(o+1)
    weights.set('conv1.weight', {
      ...w1,
      data: w1.data.map((_, k) => (k % 2 ? -1 : 1) * ((k % 16) + 1)),
    });
    const w2 = weights.get('conv2.weight')!;
    weights.set('conv2.weight', { ...w2, data: w2.data.map(() => -0.5) }); // slice [3,3,·,32]: 144
    const imp = channelImportance(graph, weights).get('conv1')!;
    expect([...imp]).toEqual(Array.from({ length: 16 }, (_, o) => 27 * (o + 1) + 144));
  });

  it('after flatten, a channel collects every spatial copy of its dense rows', () => {
    const graph = concatNet();
    const weights = randomWeights(graph, 2);
    const groups = channelGroups(graph);
    const g = groups.find((x) => x.id === 'c')!;
    expect(g.members.find((m) => m.node === 'flat')!.positions).toEqual([...Array(64).keys()]);
    const fc = weights.get('fc.weight')!.data;
    const c = weights.get('c.weight')!.data;
    const expected = [0, 1, 2, 3].map((ch) => {
      let s = 0;
      for (let i = 0; i < 8; i++) s += Math.abs(c[i * 4 + ch]!);
      for (let f = ch; f < 64; f += 4) for (let o = 0; o < 5; o++) s += Math.abs(fc[f * 5 + o]!);
      return s;
    });
    const got = [...channelImportance(graph, weights, groups).get('c')!];
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
  });
});

describe('pruning through concat (a tensor used twice) and flatten', () => {
  it('removes every copy, shrinks the dense input by H·W per channel, matches the silenced net', () => {
    const graph = concatNet();
    const weights = randomWeights(graph, 3);
    const groups = channelGroups(graph);
    const a = groups.find((g) => g.id === 'a')!;
    expect(a.members.find((m) => m.node === 'cat')!.positions).toEqual([0, 1, 2, 5, 6, 7]);
    const keep = { a: [0, 2], b: [1], c: [0, 1, 3] };
    const pruned = pruneChannels(graph, weights, keep);
    const spec = (n: string) => pruned.graph.nodes.find((x) => x.name === n)!.spec;
    expect(spec('c')).toMatchObject({ inChannels: 2 + 1 + 2, outChannels: 3 });
    expect(spec('fc')).toMatchObject({ inFeatures: 16 * 3 });
    expect(countParams(pruned.graph)).toBe(2 * 2 + 2 + 9 * 2 * 1 + 5 * 3 + 48 * 5 + 5);
    const x = randomInput([2, 4, 4, 2], 4);
    const [y] = runEval(pruned.graph, pruned.weights, x);
    const [ref] = runEval(graph, silenceChannels(graph, weights, groups, keep), x);
    x.dispose();
    expect(maxAbsDiff(y!, ref!)).toBeLessThan(1e-5);
  });
});

describe('keepTop / keepByRatio', () => {
  it('keepTop returns the highest scores in ascending index order, ties to the lower index', () => {
    expect(keepTop([0.5, 3, 1, 3, 2], 3)).toEqual([1, 3, 4]);
    expect(keepTop([1, 1, 1], 2)).toEqual([0, 1]);
    expect(() => keepTop([1, 2], 0)).toThrow(/count/);
    expect(() => keepTop([1, 2], 3)).toThrow(/count/);
  });

  it('keepByRatio cuts round(ratio·width) of each prunable group, never all, skips frozen ones', () => {
    const graph = buildTinyNet({ inputSize: 8 });
    const groups = channelGroups(graph);
    const scores = new Map(
      groups.map((g) => [g.id, Float64Array.from({ length: g.width }, (_, j) => -j)]),
    );
    const keep = keepByRatio(groups, scores, 0.3);
    expect(Object.keys(keep)).toEqual(['conv1', 'conv2', 'conv3']);
    expect(keep.conv1).toEqual([...Array(16 - 5).keys()]); // lowest scores are the last indices
    expect(keepByRatio(groups, scores, { conv2: 0.99 })).toEqual({ conv2: [0] });
    expect(keepByRatio(groups, scores, { fc: 0.5 })).toEqual({}); // frozen
    expect(() => keepByRatio(groups, scores, 1)).toThrow(/\[0, 1\)/);
    expect(() => keepByRatio(groups, new Map(), 0.5)).toThrow(/scores/);
  });
});
