// Training on the wasm backend with the composed gradient kernels: first-step gradients match
// the cpu backend, and a few trainer steps run without leaking (engine or wasm buffers).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradKernels } from '../backend/wasm-grad-kernels';
import { makeRng } from '../util/rng';
import { softmaxCrossEntropy } from './loss';
import { SimpleCnn } from './simple-cnn.test-helpers';
import { syntheticSource } from './synthetic-source';
import { train } from './trainer';

const SPEC = {
  stages: [
    { out: 4, stride: 1 },
    { out: 6, stride: 2 },
    { out: 8, stride: 2 },
  ],
  numClasses: 5,
  seed: 11,
};
const source = syntheticSource({ size: 24, numClasses: 5, seed: 4 });

/** name → gradient of the first step's loss, on the current backend. */
function firstStepGrads(): Map<string, Float32Array> {
  const model = new SimpleCnn(SPEC);
  const batch = source.batch([0, 1, 2, 3, 4, 5], false, makeRng(0));
  const x = tf.tensor4d(batch.x, [6, 8, 8, 3]);
  const y = tf.tensor1d(batch.y, 'int32');
  const { value, grads } = tf.variableGrads(
    () => softmaxCrossEntropy(model.forwardTrain(x).logits, y),
    model.trainableVariables(),
  );
  const names = model.trainableNames();
  const out = new Map(
    model
      .trainableVariables()
      .map((v, i) => [names[i]!, grads[v.name]!.dataSync() as Float32Array]),
  );
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

const wasmBuffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

describe('training on wasm', () => {
  beforeAll(() => registerWasmGradKernels());
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('first-step gradients match cpu', async () => {
    await tf.setBackend('cpu');
    const ref = firstStepGrads();
    await tf.setBackend('wasm');
    const got = firstStepGrads();
    expect([...got.keys()]).toEqual([...ref.keys()]);
    for (const [name, r] of ref) {
      const g = got.get(name)!;
      const scale = Math.max(1, ...Array.from(r, Math.abs));
      let diff = 0;
      for (let i = 0; i < r.length; i++) diff = Math.max(diff, Math.abs(g[i]! - r[i]!));
      expect(diff / scale, name).toBeLessThan(1e-4);
    }
    expect(Math.max(...Array.from(ref.get('conv0.weight')!, Math.abs))).toBeGreaterThan(1e-3);
  });

  it('runs the trainer without leaking', async () => {
    await tf.setBackend('wasm');
    const model = new SimpleCnn(SPEC);
    const counts: [number, number][] = [];
    const res = await train({
      model,
      source,
      epochs: 2,
      batchSize: 6,
      schedule: { kind: 'cosine', lr: 0.05 },
      sgd: { momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      seed: 1,
      metricsEvery: 1,
      onMetrics: (m) => {
        expect(Number.isFinite(m.loss)).toBe(true);
        counts.push([tf.memory().numTensors, wasmBuffers()]);
      },
    });
    expect(res).toMatchObject({ status: 'completed', steps: 8 });
    expect(new Set(counts.map((c) => c.join())).size).toBe(1);
    model.dispose();
  });
});
