import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildFromZooName } from '../models/zoo';
import { initWeights } from '../graph/params';
import { readSafetensors, writeSafetensors } from './safetensors';
import { isLabCheckpoint, readLabCheckpoint, writeLabCheckpoint } from './lab-checkpoint';

describe('lab checkpoint', () => {
  it('round-trips graph and weights bit-identically', () => {
    const graph = buildFromZooName('tiny');
    const weights = initWeights(graph, 7);
    const bytes = writeLabCheckpoint(graph, weights, { epochs: 1 });
    expect(isLabCheckpoint(bytes)).toBe(true);
    const back = readLabCheckpoint(bytes);
    expect(back.graph).toEqual(graph);
    expect(back.info).toEqual({ epochs: 1 });
    expect([...back.weights.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [name, w] of weights) {
      const b = back.weights.get(name)!;
      expect(b.shape).toEqual(w.shape);
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(w.data.buffer))).toBe(true);
    }
  });

  it('refuses a plain safetensors file without a graph', () => {
    const bytes = writeSafetensors(
      new Map([['w', { dtype: 'F32' as const, shape: [1], data: new Float32Array([1]) }]]),
    );
    expect(isLabCheckpoint(bytes)).toBe(false);
    expect(() => readLabCheckpoint(bytes, 'plain.safetensors')).toThrow(
      /plain.safetensors: not a MicroNet Lab checkpoint/,
    );
  });

  it('stores weights in PyTorch layout (OIHW) for PyTorch users', () => {
    const graph = buildFromZooName('tiny');
    const weights = initWeights(graph, 1);
    const file = readSafetensors(writeLabCheckpoint(graph, weights));
    const conv = [...file.tensors.entries()].find(([, t]) => t.shape.length === 4);
    expect(conv).toBeDefined();
    const [name, t] = conv!;
    const tf = weights.get(name)!; // [kh, kw, in, out]
    expect(t.shape).toEqual([tf.shape[3], tf.shape[2], tf.shape[0], tf.shape[1]]);
  });
});

describe('lab checkpoint: logits survive the round trip', () => {
  it.each(['tiny', 'resnet-20', 'pyramidnet-basic-8-a48', 'osi-micronet'])(
    '%s gives bit-identical logits after export and re-import',
    (name) => {
      const graph = buildFromZooName(name);
      const before = Network.fromWeights(graph, initWeights(graph, 5));
      const back = readLabCheckpoint(writeLabCheckpoint(graph, before.toWeights()));
      const after = Network.fromWeights(back.graph, back.weights);
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
      const a = before.predict(x);
      const b = after.predict(x);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, a, b]);
      before.dispose();
      after.dispose();
    },
  );
});
