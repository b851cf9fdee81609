// Golden test: the seed's PyramidNet (random-init oracle nets, eval mode) must reproduce
// PyTorch's logits for CIFAR-100 test records 0..7 within 1e-4 on the cpu backend.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR, ORACLES_DIR } from '../../test-paths';
import { Network } from '../graph/network';
import { countParams, listParams } from '../graph/params';
import { readSafetensors } from '../io/safetensors';
import { torchShape, torchStateDictToWeights } from '../io/torch-layout';
import { buildPyramidNet } from './pyramidnet';

const MEAN = [0.5071, 0.4867, 0.4408];
const STD = [0.2675, 0.2565, 0.2761];

/** First `count` test records → normalised NHWC float32 [count, 32, 32, 3]. */
function testImages(count: number): Float32Array {
  const fd = fs.openSync(path.join(CIFAR_DIR, 'test.bin'), 'r');
  const bytes = Buffer.alloc(count * 3074);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  const out = new Float32Array(count * 3072);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) {
        const u8 = bytes[n * 3074 + 2 + c * 1024 + p]!;
        out[n * 3072 + p * 3 + c] = (Math.fround(u8 / 255) - MEAN[c]!) / STD[c]!;
      }
    }
  }
  return out;
}

const CASES = [
  { tag: 'bottleneck_d11_a48', depth: 11, bottleneck: true, params: 144_532 },
  { tag: 'basic_d8_a48', depth: 8, bottleneck: false, params: 120_756 },
];

describe.each(CASES)('PyramidNet oracle $tag', ({ tag, depth, bottleneck, params }) => {
  const dir = path.join(ORACLES_DIR, 'pyramidnet', tag);
  const graph = buildPyramidNet({ depth, alpha: 48, bottleneck });
  const file = readSafetensors(
    new Uint8Array(fs.readFileSync(path.join(dir, 'weights.safetensors'))),
  );

  it('has the oracle parameter count and the state_dict names/shapes 1:1', () => {
    expect(countParams(graph)).toBe(params);
    const ours = listParams(graph).map((p) => `${p.name}:${torchShape(p).join('x')}`);
    const theirs = [...file.tensors]
      .filter(([name]) => !name.endsWith('num_batches_tracked'))
      .map(([name, t]) => `${name}:${t.shape.join('x')}`);
    expect(ours.sort()).toEqual(theirs.sort());
  });

  it('reproduces the golden logits (eval, cpu) within 1e-4', () => {
    const before = tf.memory().numTensors;
    const net = Network.fromWeights(graph, torchStateDictToWeights(graph, file.tensors));
    const x = tf.tensor4d(testImages(8), [8, 32, 32, 3]);
    const logits = net.predict(x);
    const got = logits.dataSync();
    const buf = fs.readFileSync(path.join(dir, 'logits.f32'));
    const want = new Float32Array(
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    );
    expect(logits.shape).toEqual([8, 100]);
    let maxErr = 0;
    for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
    console.log(`[golden] ${tag}: max |logit − PyTorch| = ${maxErr.toExponential(3)} over 8×100`);
    expect(maxErr).toBeLessThan(1e-4);
    logits.dispose();
    x.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
