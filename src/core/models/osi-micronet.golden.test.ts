// Golden test: OSI-AI MicroNet with its trained checkpoint (eval, cpu backend) reproduces
// PyTorch's main and early-exit logits for CIFAR-100 test records 0..63 within 1e-4, and the
// intermediate activations of records 0 and 1 (oracles/osi-ai-micronet/golden).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesToNHWC } from '../data/normalize';
import type { Graph } from '../graph/ir';
import { Network } from '../graph/network';
import { buildOsiMicronet, OSI_EXIT_KEY, osiTapNode } from './osi-micronet';
import { maxAbsDiff, osiWeights, readGoldenF32, testRecords } from './osi-micronet.test-helpers';

const N = 64;

describe('OSI-AI MicroNet vs PyTorch (cpu)', () => {
  const taps = {
    input_upsampled_63: osiTapNode('upsampled'),
    stem_out: osiTapNode('stem'),
    block0_dw_out: '_blocks.0._swish1',
    block0_se_gate: '_blocks.0._se_gate',
    block0_out: osiTapNode('block0'),
    block4_out: osiTapNode('block4'),
    block9_out: osiTapNode('block9'),
  };
  const base = buildOsiMicronet();
  const graph: Graph = { ...base, extraOutputs: { ...base.extraOutputs, ...taps } };
  let net: Network;
  let before = 0;
  beforeAll(() => {
    before = tf.memory().numTensors;
    net = Network.fromWeights(graph, osiWeights(graph));
  });
  afterAll(() => {
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('main and exit logits of records 0..63 within 1e-4', () => {
    const x = tf.tensor4d(imagesToNHWC(testRecords(N), [...Array(N).keys()]), [N, 32, 32, 3]);
    const { output, extra } = net.forward(x, { training: false });
    const main = maxAbsDiff(output.dataSync(), readGoldenF32('logits_main_first64.f32'));
    const exit = maxAbsDiff(
      extra[OSI_EXIT_KEY]!.dataSync(),
      readGoldenF32('logits_exit_first64.f32'),
    );
    console.log(
      `[osi golden] max |logit − PyTorch| over 64×100: main ${main.toExponential(3)}, exit ${exit.toExponential(3)}`,
    );
    expect(output.shape).toEqual([N, 100]);
    expect(extra[OSI_EXIT_KEY]!.shape).toEqual([N, 100]);
    expect(main).toBeLessThan(1e-4);
    expect(exit).toBeLessThan(1e-4);
    tf.dispose([x, output, ...Object.values(extra)]);
  });

  it('stem, block-0 (depthwise, SE gate, output), block 4 and block 9 activations of records 0, 1', () => {
    const x = tf.tensor4d(imagesToNHWC(testRecords(2), [0, 1]), [2, 32, 32, 3]);
    const { output, extra } = net.forward(x, { training: false });
    const errs: Record<string, number> = {};
    for (const key of Object.keys(taps)) {
      const t = extra[key]!;
      // NHWC → NCHW (the oracle's layout); [N,1,1,C] gates → [N,C]
      const nchw = tf.tidy(() => tf.transpose(t, [0, 3, 1, 2]).dataSync());
      errs[key] = maxAbsDiff(nchw, readGoldenF32(`activations/${key}.f32`));
    }
    console.log('[osi golden] activation max abs errors:', JSON.stringify(errs));
    expect(errs.input_upsampled_63).toBe(0);
    for (const e of Object.values(errs)) expect(e).toBeLessThan(1e-4);
    tf.dispose([x, output, ...Object.values(extra)]);
  });
});
