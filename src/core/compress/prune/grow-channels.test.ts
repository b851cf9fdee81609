// Grow-back: new channels copy a group's last channel; the network keeps (almost) its function
// and gains exactly the parameters of the new channels.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Graph, Weights } from '../../graph/ir';
import { Network } from '../../graph/network';
import { countParams, initWeights } from '../../graph/params';
import { buildFromZooName } from '../../models/zoo';
import { makeRng } from '../../util/rng';
import { channelGroups } from '../structure';
import { growChannels } from './grow-channels';

function logits(graph: Graph, weights: Weights, x: tf.Tensor4D): Float32Array {
  const net = Network.fromWeights(graph, weights);
  const y = net.predict(x);
  const out = y.dataSync() as Float32Array;
  y.dispose();
  net.dispose();
  return out;
}

describe('growChannels', () => {
  const graph = buildFromZooName('pyramidnet-bottleneck-20-a48');
  const weights = initWeights(graph, 7);

  it('adds copies to one group: widths, parameter count, function almost unchanged', () => {
    const before = tf.memory().numTensors;
    const inner = channelGroups(graph).find(
      (g) => g.prunable && g.layers.includes('layer1.0.conv2'),
    )!;
    const grown = growChannels(graph, weights, { [inner.id]: 3 }, makeRng(1));
    const after = channelGroups(grown.graph).find((g) => g.layers.includes('layer1.0.conv2'))!;
    expect(after.width).toBe(inner.width + 3);
    // conv1 (1×1, 16 in) gains 3 filters, bn gains 3·2 params + buffers aside, conv2 (3×3) gains 3 inputs.
    const conv1 = graph.nodes.find((n) => n.name === 'layer1.0.conv1')!.spec;
    const conv2 = graph.nodes.find((n) => n.name === 'layer1.0.conv2')!.spec;
    if (conv1.op !== 'conv2d' || conv2.op !== 'conv2d') throw new Error('unexpected graph');
    const bnGain =
      inner.members.filter((m) => m.node.includes('bn') && m.axis === 'out').length * 2 * 3;
    expect(countParams(grown.graph) - countParams(graph)).toBe(
      3 * conv1.inChannels + 3 * 9 * conv2.outChannels + bnGain,
    );
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const a = logits(graph, weights, x);
    const b = logits(grown.graph, grown.weights, x);
    const scale = Math.max(...a.map(Math.abs));
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(diff / scale).toBeLessThan(0.05);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('growing nothing changes nothing; frozen and unknown groups are refused', () => {
    const g = growChannels(graph, weights, {}, makeRng(1));
    expect(g.graph.nodes).toEqual(graph.nodes);
    const frozen = channelGroups(graph).find((x) => !x.prunable)!;
    expect(() => growChannels(graph, weights, { [frozen.id]: 1 }, makeRng(1))).toThrow(/frozen/);
    expect(() => growChannels(graph, weights, { nope: 1 }, makeRng(1))).toThrow(
      "growChannels: no channel group 'nope'",
    );
  });
});
