import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRng } from '../util/rng';
import { forward, type ParamLookup } from './forward';
import type { Graph, GraphNode, NodeSpec } from './ir';
import { shakeDropGates } from './kernels';

/** A one-op graph on an [h,w,c] input (numClasses is unchecked by forward). */
function oneOp(spec: NodeSpec, hwc: [number, number, number], extra: GraphNode[] = []): Graph {
  const [height, width, channels] = hwc;
  return {
    format: 'micronet-lab-graph',
    version: 1,
    name: 'op',
    numClasses: 1,
    nodes: [
      { name: 'input', inputs: [], spec: { op: 'input', height, width, channels } },
      ...extra,
      { name: 'op', inputs: ['input'], spec },
    ],
    output: 'op',
  };
}

const seq = (shape: number[]) =>
  tf.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + 1),
    shape,
  );
const none: ParamLookup = new Map();

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before); // no leaks
});

describe('forward kernels (hand-computed)', () => {
  it('avgpool ceil_mode averages in-bounds pixels of overhanging windows', () => {
    const x = seq([1, 3, 3, 1]) as tf.Tensor4D; // 1..9
    const ceil = forward(
      oneOp({ op: 'avgpool', size: 2, stride: 2, ceil: true }, [3, 3, 1]),
      none,
      x,
      { training: false },
    );
    expect(Array.from(ceil.output.dataSync())).toEqual([3, 4.5, 7.5, 9]);
    const floor = forward(
      oneOp({ op: 'avgpool', size: 2, stride: 2, ceil: false }, [3, 3, 1]),
      none,
      x,
      { training: false },
    );
    expect(Array.from(floor.output.dataSync())).toEqual([3]);
    tf.dispose([x, ceil.output, floor.output]);
  });

  it('conv2d with explicit [t,b,l,r] padding pads only bottom/right', () => {
    const x = seq([1, 3, 3, 1]) as tf.Tensor4D;
    const spec: NodeSpec = {
      op: 'conv2d',
      inChannels: 1,
      outChannels: 1,
      kernel: 2,
      stride: 1,
      padding: [0, 1, 0, 1],
      bias: true,
    };
    const params = new Map([
      ['op.weight', tf.ones([2, 2, 1, 1])],
      ['op.bias', tf.tensor1d([0.5])],
    ]);
    const { output } = forward(oneOp(spec, [3, 3, 1]), params, x, { training: false });
    expect(output.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(output.dataSync())).toEqual(
      [12, 16, 9, 24, 28, 15, 15, 17, 9].map((v) => v + 0.5),
    );
    tf.dispose([x, output, ...params.values()]);
  });

  it('padchannels appends zeros (front zeros before when asked)', () => {
    const x = tf.tensor4d([1, 2], [1, 1, 1, 2]);
    const a = forward(oneOp({ op: 'padchannels', channels: 4 }, [1, 1, 2]), none, x, {
      training: false,
    });
    const b = forward(oneOp({ op: 'padchannels', channels: 5, front: 2 }, [1, 1, 2]), none, x, {
      training: false,
    });
    expect(Array.from(a.output.dataSync())).toEqual([1, 2, 0, 0]);
    expect(Array.from(b.output.dataSync())).toEqual([0, 0, 1, 2, 0]);
    tf.dispose([x, a.output, b.output]);
  });

  it('upsample follows the PyTorch nearest index rule floor(dst·in/out)', () => {
    const x = seq([1, 1, 4, 1]) as tf.Tensor4D;
    const { output } = forward(oneOp({ op: 'upsample', height: 1, width: 7 }, [1, 4, 1]), none, x, {
      training: false,
    });
    expect(Array.from(output.dataSync())).toEqual([1, 1, 2, 2, 3, 3, 4]);
    tf.dispose([x, output]);
  });

  it('hswish / swish / concat / mul broadcast', () => {
    const x = tf.tensor4d([-4, -1, 0, 2, 5], [1, 1, 5, 1]);
    const hs = forward(oneOp({ op: 'activation', fn: 'hswish' }, [1, 5, 1]), none, x, {
      training: false,
    });
    const expected = [-4, -1, 0, 2, 5].map((v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6);
    Array.from(hs.output.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const sw = forward(oneOp({ op: 'activation', fn: 'swish' }, [1, 5, 1]), none, x, {
      training: false,
    });
    expect(sw.output.dataSync()[3]).toBeCloseTo(2 / (1 + Math.exp(-2)), 6);
    const gate: GraphNode = {
      name: 'g',
      inputs: ['input'],
      spec: { op: 'globalavgpool', keepDims: true },
    };
    const mul: Graph = { ...oneOp({ op: 'mul' }, [1, 5, 1], [gate]) };
    mul.nodes[2]!.inputs = ['input', 'g'];
    const m = forward(mul, none, x, { training: false });
    Array.from(m.output.dataSync()).forEach((v, i) =>
      expect(v).toBeCloseTo([-4, -1, 0, 2, 5][i]! * 0.4, 6),
    );
    const cat: Graph = oneOp({ op: 'concat' }, [1, 5, 1]);
    cat.nodes[1]!.inputs = ['input', 'input'];
    const c = forward(cat, none, x, { training: false });
    expect(c.output.shape).toEqual([1, 1, 5, 2]);
    tf.dispose([x, hs.output, sw.output, m.output, c.output]);
  });
});

describe('batch norm', () => {
  const bnGraph = oneOp({ op: 'batchnorm', channels: 2, eps: 1e-5, momentum: 0.1 }, [1, 2, 2]);
  const xs = [1, 10, 2, 20, 4, 40, 5, 80]; // [2,1,2,2]: channel 0 = 1,2,4,5; channel 1 = 10,20,40,80
  const params = () =>
    new Map([
      ['op.weight', tf.tensor1d([2, 1])],
      ['op.bias', tf.tensor1d([0.5, 0])],
      ['op.running_mean', tf.tensor1d([1, 0])],
      ['op.running_var', tf.tensor1d([4, 1])],
    ]);

  it('training: batch stats (biased for y, unbiased reported)', () => {
    const p = params();
    const x = tf.tensor4d(xs, [2, 1, 2, 2]);
    const { output, bnBatchStats } = forward(bnGraph, p, x, { training: true });
    const c0 = [1, 2, 4, 5];
    const mean = 3;
    const biased = c0.reduce((s, v) => s + (v - mean) ** 2, 0) / 4; // 2.5
    const y = output.dataSync();
    expect(y[0]).toBeCloseTo(((1 - mean) / Math.sqrt(biased + 1e-5)) * 2 + 0.5, 5);
    const stats = bnBatchStats.get('op')!;
    expect(Array.from(stats.mean.dataSync())).toEqual([3, 37.5]);
    expect(stats.variance.dataSync()[0]).toBeCloseTo((biased * 4) / 3, 5);
    tf.dispose([x, output, stats.mean, stats.variance, ...p.values()]);
  });

  it('eval: running stats', () => {
    const p = params();
    const x = tf.tensor4d(xs, [2, 1, 2, 2]);
    const { output, bnBatchStats } = forward(bnGraph, p, x, { training: false });
    expect(bnBatchStats.size).toBe(0);
    expect(output.dataSync()[0]).toBeCloseTo(((1 - 1) / Math.sqrt(4 + 1e-5)) * 2 + 0.5, 6);
    expect(output.dataSync()[1]).toBeCloseTo(10 / Math.sqrt(1 + 1e-5), 4);
    tf.dispose([x, output, ...p.values()]);
  });
});

describe('ShakeDrop', () => {
  const g = oneOp({ op: 'shakedrop', p: 0.5 }, [1, 1, 2]);

  it('eval multiplies by 1 − p', () => {
    const x = tf.tensor4d([2, -4], [1, 1, 1, 2]);
    const { output } = forward(oneOp({ op: 'shakedrop', p: 1 / 6 }, [1, 1, 2]), none, x, {
      training: false,
    });
    expect(output.dataSync()[0]).toBeCloseTo(2 * (5 / 6), 6);
    tf.dispose([x, output]);
  });

  it('training: forward gate α∈(−1,1) per sample, backward gate β∈(0,1)', () => {
    const n = 8;
    const gates = shakeDropGates(n, 0.5, makeRng(7));
    expect(gates.forward.some((v) => v !== 1)).toBe(true); // some samples dropped
    expect(gates.forward.some((v) => v === 1)).toBe(true);
    const x = tf.ones([n, 1, 1, 2]) as tf.Tensor4D;
    const grad = tf.grad((xi: tf.Tensor) => {
      const { output } = forward(g, none, xi as tf.Tensor4D, { training: true, rng: makeRng(7) });
      const y = output.dataSync();
      for (let i = 0; i < n; i++) expect(y[2 * i]).toBeCloseTo(gates.forward[i]!, 6);
      return tf.sum(output);
    })(x);
    const gx = grad.dataSync();
    for (let i = 0; i < n; i++) {
      expect(gx[2 * i]).toBeCloseTo(gates.backward[i]!, 6);
      if (gates.forward[i] !== 1) expect(gates.backward[i]).not.toBeCloseTo(gates.forward[i]!, 6);
    }
    tf.dispose([x, grad]);
  });

  it('training without rng fails clearly', () => {
    const x = tf.ones([2, 1, 1, 2]) as tf.Tensor4D;
    expect(() => forward(g, none, x, { training: true })).toThrow(/needs opts.rng/);
    x.dispose();
  });
});

describe('gradients', () => {
  // input 4×4×2 → conv 3×3 s2 pad[0,1,0,1] +bias → BN(train) → swish → depthwise 3×3 pad 1 →
  // global pool → dense 3→2; loss = Σ out·c.
  const graph: Graph = {
    format: 'micronet-lab-graph',
    version: 1,
    name: 'grad',
    numClasses: 2,
    nodes: [
      { name: 'input', inputs: [], spec: { op: 'input', height: 4, width: 4, channels: 2 } },
      {
        name: 'c',
        inputs: ['input'],
        spec: {
          op: 'conv2d',
          inChannels: 2,
          outChannels: 3,
          kernel: 3,
          stride: 2,
          padding: [0, 1, 0, 1],
          bias: true,
        },
      },
      {
        name: 'bn',
        inputs: ['c'],
        spec: { op: 'batchnorm', channels: 3, eps: 1e-5, momentum: 0.1 },
      },
      { name: 'a', inputs: ['bn'], spec: { op: 'activation', fn: 'swish' } },
      {
        name: 'dw',
        inputs: ['a'],
        spec: {
          op: 'depthwise2d',
          channels: 3,
          kernel: 3,
          stride: 1,
          padding: [1, 1, 1, 1],
          bias: false,
        },
      },
      { name: 'p', inputs: ['dw'], spec: { op: 'globalavgpool', keepDims: false } },
      {
        name: 'fc',
        inputs: ['p'],
        spec: { op: 'dense', inFeatures: 3, outFeatures: 2, bias: true },
      },
    ],
    output: 'fc',
  };

  it('match central finite differences (train-mode BN, explicit padding, depthwise)', () => {
    const rng = makeRng(3);
    const rnd = (shape: number[]) =>
      tf.tensor(
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1),
        shape,
      );
    const shapes: [string, number[]][] = [
      ['c.weight', [3, 3, 2, 3]],
      ['c.bias', [3]],
      ['bn.weight', [3]],
      ['bn.bias', [3]],
      ['dw.weight', [3, 3, 3, 1]],
      ['fc.weight', [3, 2]],
      ['fc.bias', [2]],
    ];
    const vars = new Map<string, tf.Variable>(
      shapes.map(([n, s]) => [n, tf.tidy(() => tf.variable(rnd(s)))]),
    );
    vars.set(
      'bn.running_mean',
      tf.tidy(() => tf.variable(tf.zeros([3]), false)),
    );
    vars.set(
      'bn.running_var',
      tf.tidy(() => tf.variable(tf.ones([3]), false)),
    );
    const x = rnd([3, 4, 4, 2]) as tf.Tensor4D;
    const c = rnd([3, 2]);
    const loss = () =>
      tf.tidy(() => {
        const r = forward(graph, vars, x, { training: true });
        return tf.sum(tf.mul(r.output, c)) as tf.Scalar;
      });
    const trainable = [...vars.values()].filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(loss, trainable);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    let worst = 0;
    for (const v of trainable) {
      const g = grads[v.name]!.dataSync();
      const base = v.dataSync().slice();
      for (const i of [0, base.length - 1]) {
        const at = (d: number) => {
          const w = base.slice();
          w[i] = base[i]! + d;
          tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
          const l = loss();
          const out = l.dataSync()[0]!;
          l.dispose();
          return out;
        };
        const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
        tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
        worst = Math.max(worst, Math.abs(fd - g[i]!) / Math.max(1, Math.abs(fd)));
      }
    }
    console.log(`[grad] worst relative |FD − autodiff| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(2e-3);
    tf.dispose([value, ...Object.values(grads), x, c, ...vars.values()]);
  });
});
