// Speed probe, not a test (skipped unless MICRONET_BENCH=1; never asserts on speed):
// median wall time of a training step of the conv16-32-64 CNN (models/tiny.ts through the graph
// runtime) at batch 64 on wasm (with src/core/backend's kernels) and on cpu.
//   MICRONET_BENCH=1 [BENCH_STEPS=5] [BENCH_CPU_STEPS=2] npx vitest run src/core/train/train-step-speed.test.ts
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describe, it } from 'vitest';
import { registerWasmGradKernels } from '../backend/wasm-grad-kernels';
import { Network } from '../graph/network';
import { buildTinyNet } from '../models/tiny';
import { makeRng } from '../util/rng';
import { networkModel } from './network-model';
import { Sgd, type NamedParam } from './sgd';
import { StepAccumulators, trainStep } from './train-step';

async function medianStepMs(
  backend: string,
  steps: number,
): Promise<{ median: number; all: number[] }> {
  await tf.setBackend(backend);
  const net = Network.fromInit(buildTinyNet({ numClasses: 100, inputSize: 32 }), 1);
  const model = networkModel(net);
  const names = model.trainableNames();
  const params: NamedParam[] = model
    .trainableVariables()
    .map((variable, i) => ({ name: names[i]!, variable }));
  const optimizer = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const acc = new StepAccumulators();
  const rng = makeRng(1);
  const x = tf.randomNormal([64, 32, 32, 3]) as tf.Tensor4D;
  const yData = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 100);
  const y = tf.tensor1d(yData, 'int32');
  const all: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t0 = performance.now();
    trainStep({ model, params, optimizer, lr: 0.05, labelSmoothing: 0, rng }, x, y, yData, acc);
    await acc.take(); // waits for the step's results
    if (i > 0) all.push(performance.now() - t0); // step 0 = warm-up (operator creation)
  }
  tf.dispose([x, y]);
  acc.dispose();
  optimizer.dispose();
  net.dispose();
  const sorted = [...all].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, all };
}

describe.skipIf(!process.env.MICRONET_BENCH)('train step speed (conv16-32-64, batch 64)', () => {
  it('wasm vs cpu', { timeout: 900_000 }, async () => {
    registerWasmGradKernels();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const wasm = await medianStepMs('wasm', Number(process.env.BENCH_STEPS ?? 5));
    console.log(
      `wasm: median ${wasm.median.toFixed(0)} ms (${wasm.all.map((t) => t.toFixed(0)).join(', ')})`,
    );
    const cpuSteps = Number(process.env.BENCH_CPU_STEPS ?? 2);
    if (cpuSteps > 0) {
      const cpu = await medianStepMs('cpu', cpuSteps);
      console.log(
        `cpu: median ${cpu.median.toFixed(0)} ms (${cpu.all.map((t) => t.toFixed(0)).join(', ')})`,
      );
    }
    await tf.setBackend('cpu');
  });
});
