import { describe, expect, it } from 'vitest';
import { buildFromZooName } from '../models/zoo';
import type { Graph } from './ir';
import { graphFromJSON, graphToJSON } from './serialize';
import { inferShapes } from './shapes';
import { validateGraph } from './validate';

const tiny = () => buildFromZooName('tiny');
const mutate = (f: (g: Graph) => void): string => {
  const g = JSON.parse(graphToJSON(tiny())) as Graph;
  f(g);
  return JSON.stringify(g);
};

describe('graph JSON', () => {
  it('round-trips every zoo example unchanged', () => {
    for (const name of ['tiny', 'resnet-20', 'pyramidnet-bottleneck-11-a48']) {
      const g = buildFromZooName(name);
      const back = graphFromJSON(graphToJSON(g));
      expect(back).toEqual(g);
      expect(graphToJSON(back)).toBe(graphToJSON(g));
    }
  });

  it('rejects bad input with clear errors', () => {
    expect(() => graphFromJSON('{nope')).toThrow(/graph JSON is invalid/);
    expect(() =>
      graphFromJSON(mutate((g) => (g.nodes[1]!.spec = { op: 'conv3d' } as never))),
    ).toThrow(/node 'conv1': unknown op "conv3d"/);
    expect(() => graphFromJSON(mutate((g) => (g.nodes[2]!.inputs = ['nowhere'])))).toThrow(
      /node 'bn1': missing input 'nowhere'/,
    );
    expect(() => graphFromJSON(mutate((g) => (g.nodes[2]!.name = 'conv1')))).toThrow(
      /duplicate node name 'conv1'/,
    );
    expect(() => graphFromJSON(mutate((g) => (g.output = 'logits')))).toThrow(
      /graph.output 'logits' is not a node/,
    );
    expect(() =>
      graphFromJSON(mutate((g) => ((g.nodes[1]!.spec as { stride: unknown }).stride = 0))),
    ).toThrow(/'conv1' \(conv2d\): field 'stride' must be posInt, got 0/);
    expect(() =>
      graphFromJSON(mutate((g) => ((g.nodes[1]!.spec as { strid?: number }).strid = 1))),
    ).toThrow(/unknown field 'strid'/);
    expect(() => graphFromJSON(mutate((g) => g.nodes.reverse()))).toThrow(/missing input/);
    expect(() => graphFromJSON(mutate((g) => ((g as { version: number }).version = 2)))).toThrow(
      /version 2/,
    );
  });
});

describe('inferShapes', () => {
  it('gives per-sample shapes (no batch axis)', () => {
    const s = inferShapes(tiny());
    expect(s.get('input')).toEqual([32, 32, 3]);
    expect(s.get('conv2')).toEqual([16, 16, 32]);
    expect(s.get('relu3')).toEqual([8, 8, 64]);
    expect(s.get('avgpool')).toEqual([64]);
    expect(s.get('fc')).toEqual([100]);
  });

  it('names the node on channel mismatches', () => {
    const g = tiny();
    const conv2 = g.nodes.find((n) => n.name === 'conv2')!;
    if (conv2.spec.op === 'conv2d') conv2.spec.inChannels = 8;
    validateGraph(g); // structurally fine …
    expect(() => inferShapes(g)).toThrow(
      /node 'conv2' \(conv2d\): expects 8 channels, input has 16/,
    ); // … shapes not
  });
});
