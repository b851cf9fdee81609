// Integration (wasm backend, real data): the real OSI-AI MicroNet checkpoint compressed with
// 8-bit weights, 8-bit activations (quantizers calibrated on 512 training images) and 50 % extra
// global magnitude sparsity, written as a compressed checkpoint and read back. The network read
// from the bytes gives exactly the in-lab compressed network's main and early-exit logits on the
// first 1,000 test images (max |diff| 0, every argmax equal), and the file is within
// 1 % + 4096 bytes of the storage the score counts (params32 · 4).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressNetwork } from '../../compress/apply-recipe';
import { compressedData, compressedNetwork } from '../../compress/compressed-model';
import { scoreModel } from '../../compress/score-model';
import { Network } from '../../graph/network';
import { buildOsiMicronet } from '../../models/osi-micronet';
import { osiWeights, testRecords, trainRecords } from '../../models/osi-micronet.test-helpers';
import type { EvaluableNetwork } from '../../train/evaluate-network';
import { cifarSource } from '../../train/cifar-source';
import { makeRng } from '../../util/rng';
import { readCompressed, writeCompressed } from './index';

const COUNT = 1000;
const BATCH = 100;

/** Main and exit logits of every test batch, concatenated. */
async function logits(net: EvaluableNetwork): Promise<{ main: Float32Array; exit: Float32Array }> {
  const source = cifarSource(testRecords(COUNT), null);
  const main: number[] = [];
  const exit: number[] = [];
  for (let start = 0; start < COUNT; start += BATCH) {
    const indices = Array.from({ length: BATCH }, (_, i) => start + i);
    const b = source.batch(indices, false, makeRng(0));
    const x = tf.tensor4d(b.x, [BATCH, 32, 32, 3]);
    const r = net.forward(x, { training: false });
    main.push(...(await r.output.data()));
    exit.push(...(await r.extra.exit!.data()));
    tf.dispose([x, r.output, ...Object.values(r.extra)]);
  }
  return { main: Float32Array.from(main), exit: Float32Array.from(exit) };
}

function compare(a: Float32Array, b: Float32Array, classes: number) {
  let maxDiff = 0;
  let argmaxEqual = 0;
  for (let i = 0; i < a.length / classes; i++) {
    let [ia, ib] = [0, 0];
    for (let c = 0; c < classes; c++) {
      const k = i * classes + c;
      maxDiff = Math.max(maxDiff, Math.abs(a[k]! - b[k]!));
      if (a[k]! > a[i * classes + ia]!) ia = c;
      if (b[k]! > b[i * classes + ib]!) ib = c;
    }
    if (ia === ib) argmaxEqual++;
  }
  return { maxDiff, argmaxEqual };
}

describe('OSI-AI MicroNet as a compressed checkpoint (wasm, real data)', () => {
  const graph = buildOsiMicronet();
  const weights = osiWeights(graph);
  const recipe = { weightBits: 8, activationBits: 8, sparsity: 0.5 };

  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('8-bit weights + activations, 50 % sparsity: identical logits after a file round trip', async () => {
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const net = Network.fromWeights(graph, weights);
    const calibration = cifarSource(trainRecords(512), null);
    const c = await compressNetwork(net, recipe, { calibration });
    net.dispose();
    const bytes = writeCompressed(compressedData(c, recipe, { model: graph.name }));
    const t1 = performance.now();
    const back = readCompressed(bytes, 'osi.mnlc');
    const run = compressedNetwork(back);
    const t2 = performance.now();
    const want = await logits(c);
    const got = await logits(run);
    c.dispose();
    run.dispose();
    const main = compare(want.main, got.main, 100);
    const exit = compare(want.exit, got.exit, 100);
    const s = scoreModel(graph, weights, recipe, { detail: false });
    const counted = s.params32 * 4;
    console.log(
      `[osi compressed] file ${bytes.length} B (header ${back.layout.headerBytes} B, payload ${back.layout.payloadBytes} B), counted storage ${counted.toFixed(0)} B (${(bytes.length / counted - 1) * 100}% apart); ` +
        `main max|diff| ${main.maxDiff}, argmax equal ${main.argmaxEqual}/${COUNT}; exit max|diff| ${exit.maxDiff}, argmax equal ${exit.argmaxEqual}/${COUNT}; ` +
        `compress+write ${((t1 - t0) / 1000).toFixed(1)} s, read ${((t2 - t1) / 1000).toFixed(2)} s, 2×${COUNT} images ${((performance.now() - t2) / 1000).toFixed(1)} s`,
    );
    expect(main).toEqual({ maxDiff: 0, argmaxEqual: COUNT });
    expect(exit).toEqual({ maxDiff: 0, argmaxEqual: COUNT });
    expect(Math.abs(bytes.length - counted)).toBeLessThanOrEqual(0.01 * counted + 4096);
    expect(Object.keys(back.activationQuant).length).toBeGreaterThan(50);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000); // ~40 s alone on 2 cores (2 × 1,000 OSI forwards); more when the suite runs beside it
});
