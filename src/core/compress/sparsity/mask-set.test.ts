import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../../graph/network';
import { buildTinyNet } from '../../models/tiny';
import { networkModel } from '../../train/network-model';
import { syntheticSource } from '../../train/synthetic-source';
import { train } from '../../train/trainer';
import { magnitudeMasks } from './magnitude-masks';
import { MaskSet } from './mask-set';

const graph = buildTinyNet({ inputSize: 8, numClasses: 3 });

/** Trains `net` 3 steps with momentum and weight decay; `afterStep` as given. */
async function trainSteps(net: Network, afterStep?: () => void): Promise<void> {
  const res = await train({
    model: networkModel(net),
    source: syntheticSource({ size: 32, numClasses: 3, seed: 2 }),
    epochs: 1,
    batchSize: 8,
    schedule: { kind: 'constant', lr: 0.05 },
    sgd: { momentum: 0.9, weightDecay: 5e-4 },
    seed: 4,
    maxSteps: 3,
    afterStep,
  });
  expect(res.steps).toBe(3);
}

function snapshot(net: Network, masks: Map<string, Uint8Array>): Map<string, Float32Array> {
  const read = (l: string) => Float32Array.from(net.getTensor(`${l}.weight`).dataSync());
  return new Map([...masks.keys()].map((l) => [l, read(l)]));
}

/** For each masked layer: [pruned entries still 0, kept entries that changed] as fractions. */
function check(net: Network, before: Map<string, Float32Array>, masks: Map<string, Uint8Array>) {
  let [pruned, prunedZero, kept, keptChanged] = [0, 0, 0, 0];
  for (const [layer, mask] of masks) {
    const now = net.getTensor(`${layer}.weight`).dataSync();
    const was = before.get(layer)!;
    mask.forEach((m, i) => {
      if (m === 0) [pruned, prunedZero] = [pruned + 1, prunedZero + (now[i] === 0 ? 1 : 0)];
      else [kept, keptChanged] = [kept + 1, keptChanged + (now[i] !== was[i] ? 1 : 0)];
    });
  }
  return { pruned, zeroFrac: prunedZero / pruned, changedFrac: keptChanged / kept };
}

describe('MaskSet', () => {
  it('keeps pruned weights exactly zero through SGD steps with momentum and weight decay', async () => {
    const start = tf.memory().numTensors;
    const net = Network.fromInit(graph, 1);
    const masks = magnitudeMasks(graph, net.toWeights(), { sparsity: 0.6 });
    const maskSet = MaskSet.fromMasks(net, masks);
    expect(maskSet.size).toBe(4); // conv1-3 and fc
    maskSet.apply(net);
    const before = snapshot(net, masks);
    await trainSteps(net, () => maskSet.apply(net));
    const r = check(net, before, masks);
    expect(r.pruned).toBe(Math.round(0.6 * (432 + 4608 + 18432 + 192)));
    expect(r.zeroFrac).toBe(1);
    expect(r.changedFrac).toBeGreaterThan(0.99);
    maskSet.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('without the hook the same training revives pruned weights (the test can fail)', async () => {
    const net = Network.fromInit(graph, 1);
    const masks = magnitudeMasks(graph, net.toWeights(), { sparsity: 0.6 });
    const maskSet = MaskSet.fromMasks(net, masks);
    maskSet.apply(net);
    const before = snapshot(net, masks);
    await trainSteps(net);
    expect(check(net, before, masks).zeroFrac).toBeLessThan(0.01);
    maskSet.dispose();
    net.dispose();
  });

  it('skips all-ones masks, checks lengths, refuses apply after dispose', () => {
    const net = Network.fromInit(graph, 1);
    const ones = new Map([['conv1', new Uint8Array(432).fill(1)]]);
    const set = MaskSet.fromMasks(net, ones);
    expect(set.size).toBe(0);
    set.dispose();
    expect(() => set.apply(net)).toThrow(/after dispose/);
    const before = tf.memory().numTensors;
    const bad = new Map([
      ['conv2', new Uint8Array(4608)],
      ['conv1', new Uint8Array(5)],
    ]);
    expect(() => MaskSet.fromMasks(net, bad)).toThrow(
      /'conv1' has 5 entries, 'conv1.weight' has 432/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() => MaskSet.fromMasks(net, new Map([['nope', new Uint8Array(1)]]))).toThrow(/nope/);
    net.dispose();
  });
});
