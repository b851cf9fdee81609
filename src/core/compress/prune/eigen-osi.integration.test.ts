// Integration (wasm, real data): eigenbasis pruning of the real OSI-AI MicroNet checkpoint by a
// 20 % global ratio (default cap 0.5), K-FAC on 4 CIFAR-100 training records. Most of its
// weights are in 1×1 convs, whose Tucker-2 form is never smaller: the two-factor form replaces
// some layers, the parameter count drops by exactly what the plan predicts, and the pruned
// network still runs (finite logits) on real test records. Skipped without the shared data.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR_DIR, MODELS_DIR } from '../../../test-paths';
import { registerWasmGradKernels } from '../../backend/wasm-grad-kernels';
import { parseRecords } from '../../data/cifar-records';
import { Network } from '../../graph/network';
import { countParams } from '../../graph/params';
import { buildOsiMicronet } from '../../models/osi-micronet';
import { osiWeights, testRecords } from '../../models/osi-micronet.test-helpers';
import { cifarSource } from '../../train/cifar-source';
import { chainDims } from '../structure';
import { pruneNetwork } from './prune-network';

const RECORDS = 4;
const present = [
  path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.safetensors'),
  path.join(CIFAR_DIR, 'train.bin'),
  path.join(CIFAR_DIR, 'test.bin'),
].every((f) => fs.existsSync(f));

function trainRecords(count: number) {
  const fd = fs.openSync(path.join(CIFAR_DIR, 'train.bin'), 'r');
  const bytes = new Uint8Array(count * 3074);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return parseRecords(bytes, 'train.bin');
}

describe.skipIf(!present)('eigenbasis pruning of the OSI-AI MicroNet (wasm, real data)', () => {
  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    registerWasmGradKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('20 %: replaces some layers, removes the predicted parameters, still runs', async () => {
    const before = tf.memory().numTensors;
    const graph = buildOsiMicronet();
    const weights = osiWeights(graph);
    const t0 = performance.now();
    const r = await pruneNetwork({
      graph,
      weights,
      spec: { method: 'eigenbasis', ratio: 0.2, analysisBatches: 1 },
      source: cifarSource(trainRecords(RECORDS), null),
      batchSize: RECORDS,
    });
    const replaced = r.layers!.filter((l) => l.factorize);
    const saved = replaced.reduce((a, l) => a + l.paramsBefore - l.paramsAfter, 0);
    console.log(
      `[osi eigenbasis 20 %] ${r.paramsBefore} → ${r.paramsAfter} params, ${replaced.length} of ` +
        `${r.layers!.length} layers replaced (${replaced.map((l) => `${l.name} ${l.form} ${l.paramsBefore}→${l.paramsAfter}`).join(', ')}); ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(r.paramsBefore).toBe(countParams(graph));
    expect(replaced.length).toBeGreaterThan(0);
    expect(saved).toBeGreaterThan(0);
    expect(r.paramsBefore - r.paramsAfter).toBe(saved);
    expect(countParams(r.graph)).toBe(r.paramsAfter);
    for (const l of replaced) {
      expect(l.form).not.toBe('tucker'); // OSI's replaced layers are 1×1 convs / the dense head
      expect(chainDims(r.graph, l.name)).toMatchObject({ form: l.form, params: l.paramsAfter });
    }
    const net = Network.fromWeights(r.graph, r.weights);
    const batch = cifarSource(testRecords(4), null).batch([0, 1, 2, 3], false, Math.random);
    const x = tf.tensor4d(batch.x, [4, 32, 32, 3]);
    const y = net.predict(x);
    expect(y.shape).toEqual([4, 100]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
