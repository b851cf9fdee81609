import { describe, expect, it } from 'vitest';
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
