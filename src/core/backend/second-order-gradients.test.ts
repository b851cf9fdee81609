// Each gradient registered by second-order-gradients.ts vs central finite differences, on the
// cpu and wasm backends: for an op K and a random R, s(inputs) = Σ R ⊙ K(inputs) (summed in
// float64), the directional derivative ⟨∇_i s, d⟩ from the registered gradient must equal
// (s(input_i + εd) − s(input_i − εd)) / 2ε. K is linear in each input for the gradient kernels, so
// the central difference is exact up to float32 rounding (ε = 1); for σ and hswish, ε = 1e-2.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRng, randNormal, type Rng } from '../util/rng';
import { SECOND_ORDER_GRADIENT_KERNELS } from './second-order-gradients';
import { registerWasmGradKernels } from './wasm-grad-kernels';

type Shape4 = [number, number, number, number];
type Fn = (ins: tf.Tensor[]) => tf.Tensor;

function randomTensor(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => scale * randNormal(rng)),
    shape,
  );
}

function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Σ R ⊙ fn(ins) in float64. */
function objective(fn: Fn, ins: tf.Tensor[], r: tf.Tensor): number {
  const out = tf.tidy(() => fn(ins));
  const v = dot64(out.dataSync(), r.dataSync());
  out.dispose();
  return v;
}

/**
 * Largest relative error over inputs of ⟨∇_i s, d_i⟩ vs the central difference, relative to
 * ‖∇_i s‖·‖d_i‖. Inputs listed in `zeroGrad` must get an exactly zero gradient instead.
 */
function gradientError(fn: Fn, ins: tf.Tensor[], rng: Rng, eps: number, zeroGrad: number[] = []) {
  const before = tf.memory().numTensors;
  const outShape = tf.tidy(() => fn(ins).shape);
  const r = randomTensor(outShape, rng);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fn(xs), r)))(ins);
  let worst = 0;
  ins.forEach((x, i) => {
    const g = grads[i]!.dataSync();
    if (zeroGrad.includes(i)) {
      expect(g.every((v) => v === 0)).toBe(true);
      return;
    }
    const d = randomTensor(x.shape, rng);
    const shifted = (s: number) =>
      ins.map((t, j) => (j === i ? tf.tidy(() => tf.add(t, tf.mul(d, s))) : t));
    const plus = shifted(eps);
    const minus = shifted(-eps);
    const fd = (objective(fn, plus, r) - objective(fn, minus, r)) / (2 * eps);
    const analytic = dot64(g, d.dataSync());
    const scale = Math.sqrt(dot64(g, g) * dot64(d.dataSync(), d.dataSync()));
    worst = Math.max(worst, Math.abs(fd - analytic) / scale);
    tf.dispose([d, plus[i]!, minus[i]!]);
  });
  tf.dispose([r, ...grads]);
  expect(tf.memory().numTensors).toBe(before);
  return worst;
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>) {
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface ConvCase {
  x: Shape4;
  k: number;
  out: number; // output channels (conv) or channel multiplier (depthwise)
  s: number;
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 6, 6, 3], k: 3, out: 4, s: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: 3, out: 2, s: 2, pad: 'same' }, // TF 'same' at stride 2: asymmetric
  { x: [2, 7, 6, 2], k: 3, out: 3, s: 2, pad: 'valid' },
  { x: [2, 5, 5, 4], k: 1, out: 3, s: 1, pad: 'valid' }, // pointwise (wasm: matmul path)
  {
    x: [2, 6, 7, 3],
    k: 3,
    out: 2,
    s: 2,
    pad: [
      [0, 0],
      [0, 1],
      [1, 0],
      [0, 0],
    ],
  },
];

function label(c: ConvCase): string {
  return `x [${c.x}], k ${c.k}, out ${c.out}, s ${c.s}, pad ${JSON.stringify(c.pad)}`;
}

const TOL = 1e-4;

function suite(backend: 'cpu' | 'wasm') {
  describe(`second-order gradients on ${backend}`, () => {
    it('registers the kernels named', async () => {
      if (backend === 'wasm') {
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        registerWasmGradKernels();
      }
      expect(await tf.setBackend(backend)).toBe(true);
      for (const k of SECOND_ORDER_GRADIENT_KERNELS) expect(tf.getGradient(k)).toBeDefined();
    });

    it.each(CONV_CASES)('Conv2DBackpropFilter: $x k$k s$s', (c) => {
      const rng = makeRng(1);
      const w = [c.k, c.k, c.x[3], c.out] as Shape4;
      const x = randomTensor(c.x, rng);
      const dyShape = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, tf.zeros(w), c.s, c.pad).shape);
      const dy = randomTensor(dyShape, rng);
      const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', filterShape: w };
      const err = gradientError(
        ([a, b]) => run('Conv2DBackpropFilter', { x: a!, dy: b! }, attrs),
        [x, dy],
        rng,
        1,
      );
      expect(err, label(c)).toBeLessThan(TOL);
      tf.dispose([x, dy]);
    });

    it.each(CONV_CASES)('DepthwiseConv2dNativeBackpropFilter: $x k$k s$s', (c) => {
      const rng = makeRng(2);
      const m = Math.min(c.out, 2);
      const w = [c.k, c.k, c.x[3], m] as Shape4;
      const x = randomTensor(c.x, rng);
      const dyShape = tf.tidy(
        () => tf.depthwiseConv2d(x as tf.Tensor4D, tf.zeros(w), c.s, c.pad).shape,
      );
      const dy = randomTensor(dyShape, rng);
      const attrs = { strides: [c.s, c.s], pad: c.pad, dilations: [1, 1], filterShape: w };
      const err = gradientError(
        ([a, b]) => run('DepthwiseConv2dNativeBackpropFilter', { x: a!, dy: b! }, attrs),
        [x, dy],
        rng,
        1,
      );
      expect(err, label(c)).toBeLessThan(TOL);
      tf.dispose([x, dy]);
    });

    it.each(CONV_CASES)('DepthwiseConv2dNativeBackpropInput: $x k$k s$s', (c) => {
      const rng = makeRng(3);
      const m = Math.min(c.out, 2);
      const w = [c.k, c.k, c.x[3], m] as Shape4;
      const dyShape = tf.tidy(
        () => tf.depthwiseConv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(w), c.s, c.pad).shape,
      );
      const dy = randomTensor(dyShape, rng);
      const filter = randomTensor(w, rng);
      const attrs = { strides: [c.s, c.s], pad: c.pad, dilations: [1, 1], inputShape: c.x };
      const err = gradientError(
        ([a, b]) => run('DepthwiseConv2dNativeBackpropInput', { dy: a!, filter: b! }, attrs),
        [dy, filter],
        rng,
        1,
      );
      expect(err, label(c)).toBeLessThan(TOL);
      tf.dispose([dy, filter]);
    });

    it.each([
      { x: [2, 7, 7, 2] as Shape4, size: 3, s: 2, pad: 'valid' as const },
      { x: [2, 6, 6, 3] as Shape4, size: 2, s: 2, pad: 'valid' as const },
      { x: [1, 5, 5, 2] as Shape4, size: 3, s: 1, pad: 'same' as const },
    ])('AvgPoolGrad: $x size $size s$s $pad', (c) => {
      const rng = makeRng(4);
      const input = randomTensor(c.x, rng);
      const dyShape = tf.tidy(() => tf.avgPool(input as tf.Tensor4D, c.size, c.s, c.pad).shape);
      const dy = randomTensor(dyShape, rng);
      const attrs = { filterSize: [c.size, c.size], strides: [c.s, c.s], pad: c.pad };
      const err = gradientError(
        ([a, b]) => run('AvgPoolGrad', { dy: a!, input: b! }, attrs),
        [dy, input],
        rng,
        1,
        [1],
      );
      expect(err).toBeLessThan(TOL);
      tf.dispose([input, dy]);
    });

    it.each([
      { from: 5, to: 9 },
      { from: 4, to: 8 },
      { from: 6, to: 4 },
    ])('ResizeNearestNeighborGrad: $from → $to', (c) => {
      const rng = makeRng(5);
      // batch 1: tfjs-cpu's kernel is wrong for batch > 1 (see the next test)
      const images = randomTensor([1, c.from, c.from, 3], rng);
      const dy = randomTensor([1, c.to, c.to, 3], rng);
      const attrs = { alignCorners: false, halfPixelCenters: false, size: [c.to, c.to] };
      const err = gradientError(
        ([a, b]) => run('ResizeNearestNeighborGrad', { images: a!, dy: b! }, attrs),
        [images, dy],
        rng,
        1,
        [0],
      );
      expect(err).toBeLessThan(TOL);
      tf.dispose([images, dy]);
    });

    it('ResizeNearestNeighbor: first-order gradient with batch 3 (cpu kernel bug worked around)', () => {
      const rng = makeRng(8);
      const x = randomTensor([3, 5, 5, 2], rng);
      const up: Fn = ([a]) =>
        tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [9, 9], false, false);
      expect(gradientError(up, [x], rng, 1)).toBeLessThan(TOL);
      const down: Fn = ([a]) =>
        tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [3, 3], false, false);
      expect(gradientError(down, [x], rng, 1)).toBeLessThan(TOL);
      x.dispose();
    });

    it.each([[[2, 3, 3, 4]], [[5, 4]]])('FusedBatchNorm (broadcasting gradient): x %j', (shape) => {
      const rng = makeRng(9);
      const c = shape.at(-1)!;
      const x = randomTensor(shape, rng);
      const mean = randomTensor([c], rng, 0.3);
      const variance = tf.tidy(() => tf.add(tf.abs(randomTensor([c], rng)), 0.5));
      const scale = randomTensor([c], rng);
      const offset = randomTensor([c], rng);
      const bn: Fn = ([a, m, v, g, b]) => tf.batchNorm(a!, m!, v!, b!, g!, 1e-3);
      const err = gradientError(bn, [x, mean, variance, scale, offset], rng, 1e-3);
      expect(err).toBeLessThan(1e-3);
      tf.dispose([x, mean, variance, scale, offset]);
    });

    it('Sigmoid: the gradient of its gradient', () => {
      const rng = makeRng(6);
      const x = randomTensor([3, 5], rng, 2);
      const v = randomTensor([3, 5], rng);
      // fn(x) = ∂/∂x Σ v ⊙ σ(x) = v ⊙ σ'(x): its gradient is the second derivative.
      const sigmoidGrad: Fn = ([a]) =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(t), v)))(a!);
      const err = gradientError(sigmoidGrad, [x], rng, 1e-2);
      console.log(
        `[second-order] sigmoid'' vs central difference: rel. error ${err.toExponential(2)}`,
      );
      expect(err).toBeLessThan(1e-3);
      // and against the closed form σ'' = σ(1 − σ)(1 − 2σ)
      const dd = tf
        .grad((t: tf.Tensor) => tf.sum(sigmoidGrad([t])))(x)
        .dataSync();
      const xs = x.dataSync();
      const vs = v.dataSync();
      xs.forEach((xi, i) => {
        const s = 1 / (1 + Math.exp(-xi));
        expect(dd[i]).toBeCloseTo(vs[i]! * s * (1 - s) * (1 - 2 * s), 5);
      });
      tf.dispose([x, v]);
    });

    it('Relu6 / hswish: the gradient of the gradient goes through LessEqual', () => {
      const rng = makeRng(7);
      // away from the kinks at −3, 0, 3, 6 so the central difference does not straddle one
      const xs = Float32Array.from({ length: 24 }, (_, i) => -4.5 + 0.4 * i + 0.05);
      const x = tf.tensor(xs, [4, 6]);
      const v = randomTensor([4, 6], rng);
      const hswish = (t: tf.Tensor) => tf.mul(t, tf.div(tf.relu6(tf.add(t, 3)), 6));
      const g: Fn = ([a]) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(hswish(t), v)))(a!);
      const err = gradientError(g, [x], rng, 1e-2);
      expect(err).toBeLessThan(1e-3);
      tf.dispose([x, v]);
    });
  });
}

describe('wasm Identity / Cast share data', () => {
  it('clones and same-dtype casts alias the data and survive the original', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const ids = () => tf.engine().backend.numDataIds();
    const a = tf.tensor([1, 2, 3]);
    const idsA = ids();
    const b = tf.clone(a);
    const c = tf.cast(a, 'float32');
    expect(ids()).toBe(idsA); // no copies
    const d = tf.cast(a, 'int32');
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    expect(d.dtype).toBe('int32');
    tf.dispose([b, c, d]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

suite('cpu');
suite('wasm');

afterAll(async () => {
  await tf.setBackend('cpu');
});
