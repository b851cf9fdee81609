// Hutchinson per-layer traces: with one probe they split vᵀHv exactly (every parameter tensor's
// block form sums to the whole network's), and over many probes each layer's estimate approaches
// the exact trace of its Hessian block (diagonal from Hessian-vector products with unit vectors).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { exactHvp, modelLayout, networkLossModel } from '../../analysis/hessian';
import { dot, rademacher } from '../../analysis/hessian/vectors';
import {
  microGraph,
  randomBatches,
  randomNetwork,
} from '../../analysis/hessian/networks.test-helpers';
import { makeRng } from '../../util/rng';
import { blockQuadraticForms, layerHessianTraces } from './layer-traces';

describe('layerHessianTraces', () => {
  it('per-tensor forms of one probe sum to the whole-network vᵀHv', async () => {
    const net = randomNetwork(microGraph(), 4);
    const model = networkLossModel(net, randomBatches([3, 2], 9, [4, 4, 2]));
    const v = rademacher(modelLayout(model).n, makeRng(1));
    const hv = await exactHvp(model, v);
    const forms = blockQuadraticForms(model, v, hv);
    expect([...forms.keys()]).toEqual(model.names);
    const sum = [...forms.values()].reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(dot(v, hv), 8);
    expect(Math.abs(forms.get('conv1.weight')!)).toBeGreaterThan(0);
    model.dispose();
    net.dispose();
  });

  it('agrees with the exact per-layer trace within its own sampling error (80 parameters)', async () => {
    const before = tf.memory().numTensors;
    const net = randomNetwork(microGraph(), 4);
    const batches = randomBatches([4], 9, [4, 4, 2]);
    const model = networkLossModel(net, batches);
    const { offsets, n } = modelLayout(model);
    const columns: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const e = new Float64Array(n);
      e[i] = 1;
      columns.push(await exactHvp(model, e));
    }
    const range = (name: string) => {
      const k = model.names.indexOf(name);
      return [offsets[k]!, offsets[k + 1] ?? n] as const;
    };
    model.dispose();
    const probes = 400;
    const est = await layerHessianTraces(net, batches, ['conv1', 'fc'], { probes, seed: 2 });
    // One probe is exactly v_lᵀ(Hv)_l with the seed's Rademacher v and the exact Hessian.
    const one = await layerHessianTraces(net, batches, ['conv1'], { probes: 1, seed: 5 });
    const v = rademacher(n, makeRng(5));
    const [a1, b1] = range('conv1.weight');
    let form = 0;
    for (let i = a1; i < b1; i++)
      for (let j = 0; j < n; j++) form += v[i]! * columns[j]![i]! * v[j]!;
    expect(one.get('conv1')!).toBeCloseTo(form, 6);
    net.dispose();
    expect([...est.keys()].sort()).toEqual(['conv1', 'fc']);
    for (const layer of ['conv1', 'fc']) {
      const [a, b] = range(`${layer}.weight`);
      const inside = (i: number) => (i >= a && i < b ? 1 : 0);
      let trace = 0;
      let variance = 0; // of one probe: Σ_{i<j} (H_ij·(1_l(i) + 1_l(j)))²
      for (let i = 0; i < n; i++) {
        if (inside(i)) trace += columns[i]![i]!;
        for (let j = i + 1; j < n; j++)
          variance += (columns[j]![i]! * (inside(i) + inside(j))) ** 2;
      }
      const stdErr = Math.sqrt(variance / probes);
      expect(stdErr, layer).toBeLessThan(0.5 * Math.abs(trace)); // the check means something
      expect(Math.abs(est.get(layer)! - trace), layer).toBeLessThan(4 * stdErr);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
