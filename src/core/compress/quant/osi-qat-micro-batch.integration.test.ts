// Integration (wasm backend, real OSI-AI MicroNet weights, real CIFAR-100 records), issue 13
// item 4: one QAT training step at the default batch of 32 (8-bit per-channel MSE weights, 8-bit
// activations) completes. In one piece its tape (≈ 4.5 GB) aborts the wasm heap ("XNN status …
// status 6", then "Aborted()"); the trainer's automatic micro-batch (train/micro-batch.ts) splits it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradKernels } from '../../backend/wasm-grad-kernels';
import { Network } from '../../graph/network';
import { buildOsiMicronet } from '../../models/osi-micronet';
import { osiWeights, trainRecords } from '../../models/osi-micronet.test-helpers';
import type { Recipe } from '../../recipe';
import { cifarSource } from '../../train/cifar-source';
import { train } from '../../train/trainer';
import { qatModel, quantizeNetwork } from '.';

const RECIPE: Recipe = {
  weightBits: 8,
  activationBits: 8,
  weightGranularity: 'channel',
  quantMethod: 'mse',
};

describe('QAT on the OSI-AI MicroNet at batch 32 (wasm, real data)', () => {
  const graph = buildOsiMicronet();
  const weights = osiWeights(graph);
  const source = cifarSource(trainRecords(64), null);
  let net: Network;

  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    registerWasmGradKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    net = Network.fromWeights(graph, weights);
  });
  afterAll(async () => {
    net.dispose();
    await tf.setBackend('cpu');
  });

  it('one training step completes in automatic micro-batches, leaking nothing', async () => {
    const q = await quantizeNetwork(net, RECIPE, { source });
    const activationQuant = q.activationQuant;
    q.dispose();
    const before = tf.memory().numTensors;
    const start = performance.now();
    const r = await train({
      model: qatModel(net, RECIPE, activationQuant),
      source,
      epochs: 1,
      batchSize: 32,
      schedule: { kind: 'constant', lr: 1e-3 },
      sgd: { momentum: 0.9, weightDecay: 5e-4 },
      seed: 1,
      maxSteps: 1,
    });
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    console.log(
      `[osi qat micro-batch] batch 32 in micro-batches of ${r.microBatch}: ${((performance.now() - start) / 1000).toFixed(1)} s, loss ${r.lastLoss.toFixed(4)}, acc ${r.lastAcc}, wasm heap ${(heap.length / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(r.status).toBe('completed');
    expect(r.steps).toBe(1);
    expect(r.microBatch).toBeLessThanOrEqual(16);
    expect(Number.isFinite(r.lastLoss)).toBe(true);
    expect(r.lastAcc).toBeGreaterThan(0.5); // a trained network: most of 32 training images right
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
