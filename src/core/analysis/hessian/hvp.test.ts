// Exact Hessian-vector products (double back-prop) vs central finite differences of the
// gradient, on a quadratic with known H (exact), the zoo's tiny conv/BN/ReLU/dense net and a
// graph with OSI's block ingredients (depthwise, SE, swish, upsample, …), on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { registerWasmGradKernels } from '../../backend/wasm-grad-kernels';
import { makeRng } from '../../util/rng';
import { exactHvp, finiteDifferenceHvp, lossGradient, lossValue, modelLayout } from './hvp';
import { networkLossModel } from './network-loss';
import { osiLikeGraph, randomBatches, randomNetwork, tinyConvGraph } from './networks.test-helpers';
import { denseProduct, makeQuadratic } from './quadratic.test-helpers';
import { dot, gaussian, norm, scaled } from './vectors';

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(d) / norm(b);
}

describe('Hessian-vector products', () => {
  it('equal Hv on a quadratic ½θᵀHθ (two variables, indefinite H)', async () => {
    const before = tf.memory().numTensors;
    const lambdas = Array.from({ length: 14 }, (_, i) => 3 - 0.5 * i);
    const q = makeQuadratic(lambdas, 3, [[2, 3], [8]]);
    const v = gaussian(q.n, makeRng(4));
    const hv = await exactHvp(q.model, v);
    expect(relErr(hv, denseProduct(q.h, v))).toBeLessThan(1e-6);
    // the gradient of ½θᵀHθ is Hθ; central differences are exact for a quadratic
    const fd = await finiteDifferenceHvp(q.model, v, 0.5);
    expect(relErr(fd, denseProduct(q.h, v))).toBeLessThan(1e-5);
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('let a macrotask run between loss terms (a worker answers its heartbeat mid-product)', async () => {
    const q = makeQuadratic([2, 1, -1], 3, [[3]]);
    const seen: boolean[] = [];
    let ticked = false;
    const term = q.model.terms[0]!;
    const terms = [0, 1, 2].map(() => ({
      weight: term.weight / 3,
      loss: () => {
        seen.push(ticked);
        return term.loss();
      },
    }));
    setTimeout(() => (ticked = true), 0);
    await exactHvp({ vars: q.model.vars, terms }, [1, 0, 0]);
    expect(seen).toEqual([false, true, true]);
    q.dispose();
  });
});

describe('finite-difference HVP stencils', () => {
  it('on L = Σθ⁴/4: central error is ε²v³ exactly, the 5-point stencil is exact', async () => {
    const before = tf.memory().numTensors;
    const theta0 = tf.tensor1d([0.5, -1.2, 2.0, 0.3]);
    const theta = tf.variable(theta0);
    const model = {
      vars: [theta],
      terms: [
        { weight: 1, loss: () => tf.tidy(() => tf.div(tf.sum(tf.pow(theta, 4)), 4) as tf.Scalar) },
      ],
    };
    const t = [0.5, -1.2, 2.0, 0.3];
    const v = [1, 0.5, -2, 1.5];
    const eps = 0.1;
    const hv = t.map((x, i) => 3 * x * x * v[i]!); // H = diag(3θ²)
    const c3 = await finiteDifferenceHvp(model, v, eps);
    c3.forEach((x, i) => expect(x).toBeCloseTo(hv[i]! + eps * eps * v[i]! ** 3, 4));
    const c5 = await finiteDifferenceHvp(model, v, eps, { stencil: 5 });
    c5.forEach((x, i) => expect(x).toBeCloseTo(hv[i]!, 4));
    const exact = await exactHvp(model, v);
    exact.forEach((x, i) => expect(x).toBeCloseTo(hv[i]!, 4));
    expect(Array.from(theta.dataSync())).toEqual(Array.from(theta0.dataSync())); // restored
    tf.dispose([theta0, theta]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

async function networkCheck(kind: 'tiny' | 'osi-like', backend: 'cpu' | 'wasm') {
  expect(await tf.setBackend(backend)).toBe(true);
  const before = tf.memory().numTensors;
  const net = randomNetwork(kind === 'tiny' ? tinyConvGraph() : osiLikeGraph(), 11);
  const model = networkLossModel(net, randomBatches([3, 2], 12));
  const { n } = modelLayout(model);
  const rng = makeRng(13);
  const u = scaled(gaussian(n, rng), 1 / Math.sqrt(n));
  const v = scaled(gaussian(n, rng), 1 / Math.sqrt(n));
  const hv = await exactHvp(model, v);
  const hu = await exactHvp(model, u);
  const errs = [] as number[];
  for (const eps of [1e-2, 1e-3]) {
    const fd = await finiteDifferenceHvp(model, v, eps);
    errs.push(relErr(fd, hv));
  }
  const symmetry = Math.abs(dot(u, hv) - dot(v, hu)) / (norm(hv) * norm(u));
  const loss = await lossValue(model);
  const g = await lossGradient(model);
  console.log(
    `[hvp ${kind} ${backend}] n=${n} loss ${loss.toFixed(4)} ‖g‖ ${norm(g).toExponential(2)} ` +
      `‖Hv‖ ${norm(hv).toExponential(2)}; ‖Hv − FD‖/‖Hv‖ at ε=1e-2: ${errs[0]!.toExponential(2)}, ` +
      `ε=1e-3: ${errs[1]!.toExponential(2)}; |uᵀHv − vᵀHu| rel ${symmetry.toExponential(2)}`,
  );
  expect(Math.min(...errs)).toBeLessThan(2e-3);
  expect(symmetry).toBeLessThan(1e-5);
  model.dispose();
  net.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

describe.each(['cpu', 'wasm'] as const)('network Hessian-vector products on %s', (backend) => {
  it('tiny conv/BN/ReLU/dense net: exact HVP = finite differences of the gradient', async () => {
    if (backend === 'wasm') {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      registerWasmGradKernels();
    }
    await networkCheck('tiny', backend);
  });

  it('depthwise + SE (sigmoid, mul) + swish + upsample graph: exact HVP = finite differences', async () => {
    await networkCheck('osi-like', backend);
  });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});
