// Integration (wasm backend): OSI-AI MicroNet with its checkpoint, evaluated with the early-exit
// rule on the first 1,000 CIFAR-100 test records, predicts what PyTorch predicts
// (golden pred_main.u8 / pred_earlyexit.u8 / exit_mask.u8) for ≥ 99.9 % of them. The evaluation
// runs the eval-only rewrite (BN folded into convs), whose logits are also checked against the
// golden first-64 logits.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesToNHWC } from '../data/normalize';
import { inferenceNetwork } from '../graph/inference-graph';
import { Network } from '../graph/network';
import { cifarSource } from '../train/cifar-source';
import { evaluateWithEarlyExit } from '../train/early-exit';
import { buildOsiMicronet, OSI_EXIT_KEY } from './osi-micronet';
import {
  maxAbsDiff,
  osiWeights,
  readGoldenF32,
  readGoldenU8,
  testRecords,
} from './osi-micronet.test-helpers';

const COUNT = 1000;

function agreement(got: Uint8Array, want: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < got.length; i++) same += got[i] === want[i] ? 1 : 0;
  return same / got.length;
}

describe('OSI-AI MicroNet on real CIFAR-100 (wasm)', () => {
  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('folded network reproduces the golden logits of records 0..63 within 1e-4', async () => {
    const before = tf.memory().numTensors;
    const graph = buildOsiMicronet();
    const net = Network.fromWeights(graph, osiWeights(graph));
    const fast = await inferenceNetwork(net);
    net.dispose();
    const x = tf.tensor4d(imagesToNHWC(testRecords(64), [...Array(64).keys()]), [64, 32, 32, 3]);
    const { output, extra } = fast.forward(x, { training: false });
    const main = maxAbsDiff(output.dataSync(), readGoldenF32('logits_main_first64.f32'));
    const exit = maxAbsDiff(
      extra[OSI_EXIT_KEY]!.dataSync(),
      readGoldenF32('logits_exit_first64.f32'),
    );
    console.log(
      `[osi wasm, BN folded] max |logit − PyTorch| over 64×100: main ${main.toExponential(3)}, exit ${exit.toExponential(3)}`,
    );
    expect(main).toBeLessThan(1e-4);
    expect(exit).toBeLessThan(1e-4);
    tf.dispose([x, output, ...Object.values(extra)]);
    fast.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predictions on 1,000 test images equal PyTorch’s for ≥ 99.9 %', async () => {
    const before = tf.memory().numTensors;
    const graph = buildOsiMicronet();
    const net = Network.fromWeights(graph, osiWeights(graph));
    const r = await evaluateWithEarlyExit(net, cifarSource(testRecords(COUNT), null), {
      batchSize: 100,
    });
    net.dispose();
    const main = agreement(r.predMain, readGoldenU8('pred_main.u8').subarray(0, COUNT));
    const early = agreement(r.predEarlyExit, readGoldenU8('pred_earlyexit.u8').subarray(0, COUNT));
    const exits = agreement(r.exitMask, readGoldenU8('exit_mask.u8').subarray(0, COUNT));
    console.log(
      `[osi wasm] ${COUNT} images: agreement main ${main}, early-exit ${early}, exit mask ${exits}; ` +
        `top-1 ${r.top1}, with early exit ${r.top1EarlyExit}, exit rate ${r.exitRate}, ${r.imagesPerSecond.toFixed(1)} img/s`,
    );
    expect(r.n).toBe(COUNT);
    expect(main).toBeGreaterThanOrEqual(0.999);
    expect(early).toBeGreaterThanOrEqual(0.999);
    expect(exits).toBeGreaterThanOrEqual(0.999);
    expect(tf.memory().numTensors).toBe(before);
  });
});
