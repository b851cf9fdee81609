// Integration (wasm, real data): the OSI-AI MicroNet checkpoint's top Hessian eigenvalue of the
// mean cross-entropy (main output, eval mode) on the first N CIFAR-100 test records, by Lanczos
// with exact HVPs from two seeds, agrees with itself within 1 % and with a power iteration on
// finite-difference HVPs (Richardson 5-point stencil) within 1 %. The N = 256 costs
// tens of minutes on wasm (one HVP ≈ 0.35 s per record): bench/hessian-osi.ts runs it; here N = 4.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradKernels } from '../../backend/wasm-grad-kernels';
import { Network } from '../../graph/network';
import { buildOsiMicronet } from '../../models/osi-micronet';
import { osiWeights, testRecords } from '../../models/osi-micronet.test-helpers';
import { cifarSource } from '../../train/cifar-source';
import { networkLossModel, sourceBatches } from './network-loss';
import { checkTopEigenvalue } from './top-eigen-check';

const RECORDS = 4;

describe('OSI-AI MicroNet Hessian on real CIFAR-100 (wasm)', () => {
  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    registerWasmGradKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it(`top eigenvalue on the first ${RECORDS} test records: two seeds and FD power iteration agree within 1 %`, async () => {
    const before = tf.memory().numTensors;
    const graph = buildOsiMicronet();
    const net = Network.fromWeights(graph, osiWeights(graph));
    const batches = sourceBatches(cifarSource(testRecords(RECORDS), null), RECORDS, RECORDS);
    const model = networkLossModel(net, batches);
    const t0 = performance.now();
    const r = await checkTopEigenvalue(model, {
      seeds: [1, 2],
      lanczosSteps: 30,
      tol: 1e-3,
      power: { start: 'lanczos', seed: 3, maxIterations: 3, tol: 1e-3, eps: 1e-3, stencil: 5 },
    });
    const [a, b] = r.lanczos;
    console.log(
      `[osi hessian wasm] N=${RECORDS}, ${r.params} params: λ1 ${a.value.toFixed(3)} (seed ${a.seed}, ` +
        `${a.steps} steps, residual ${a.residual.toExponential(2)}, ${a.seconds.toFixed(1)} s), ` +
        `${b.value.toFixed(3)} (seed ${b.seed}, ${b.steps} steps, ${b.seconds.toFixed(1)} s): spread ` +
        `${r.seedSpread.toExponential(2)}; FD power iteration ${r.power.value.toFixed(3)} ` +
        `(${r.power.iterations} it., ${r.power.seconds.toFixed(1)} s): gap ${r.powerGap.toExponential(2)}; ` +
        `total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(r.params).toBeGreaterThan(400_000);
    expect(a.residual).toBeLessThan(1e-3 * a.value);
    expect(r.seedSpread).toBeLessThan(0.01);
    expect(r.powerGap).toBeLessThan(0.01);
    model.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
