// The recipe-run checkpoint: bytes round-trip exactly, bad files and other runs are refused
// with errors naming what differs, and the model fingerprint sees a single changed bit.
import { describe, expect, it } from 'vitest';
import { initWeights } from '../../graph/params';
import { writeSafetensors } from '../../io/safetensors';
import { exitNetGraph } from './pipeline.test-helpers';
import {
  checkSameRun,
  decodePipelineState,
  encodePipelineState,
  modelFingerprint,
  type PipelineState,
} from './pipeline-state';

const graph = exitNetGraph();

function state(): PipelineState {
  const weights = initWeights(graph, 2);
  return {
    recipe: { sparsity: 0.5, fineTune: { pruneSteps: 3 }, exitThreshold: 0.7 },
    modelKey: modelFingerprint(graph, weights),
    seed: 4,
    trainSize: 32,
    stepsDone: 1,
    epochsDone: 2,
    weights,
    masks: new Map([
      ['conv1', Uint8Array.of(1, 0, 1)],
      ['fc', Uint8Array.of(0, 0)],
    ]),
    momentum: [{ name: 'conv1.weight', shape: [3], data: Float32Array.of(0.5, -1, 2) }],
    activationQuant: { conv2: { bits: 8, bp: 5, zeroPoint: 3 } },
    elapsedSeconds: 12.5,
  };
}

describe('pipeline state', () => {
  it('round-trips through bytes', () => {
    const s = state();
    const back = decodePipelineState(encodePipelineState(s));
    expect(back).toEqual(s);
    const none = decodePipelineState(encodePipelineState({ ...s, masks: null, momentum: [] }));
    expect(none.masks).toBeNull();
    expect(none.activationQuant).toEqual(s.activationQuant);
  });

  it('refuses other files and bad fields, naming them', () => {
    const other = writeSafetensors(new Map(), { format: 'micronet-lab' });
    expect(() => decodePipelineState(other, 'x.ckpt')).toThrow(
      'x.ckpt: not a recipe-run checkpoint (format micronet-lab)',
    );
    const bad = writeSafetensors(new Map(), {
      format: 'micronet-lab-pipeline',
      version: '1',
      state: JSON.stringify({ modelKey: 'k', seed: -1 }),
    });
    expect(() => decodePipelineState(bad, 'y')).toThrow('y: state.seed is invalid, got -1');
  });

  it('checkSameRun names the recipe, model, seed or training set that differs', () => {
    const s = state();
    const id = { recipe: s.recipe, modelKey: s.modelKey, seed: 4, trainSize: 32 };
    expect(() => checkSameRun(s, id)).not.toThrow();
    // key order does not matter
    const reordered = { exitThreshold: 0.7, fineTune: { pruneSteps: 3 }, sparsity: 0.5 };
    expect(() => checkSameRun(s, { ...id, recipe: reordered })).not.toThrow();
    expect(() => checkSameRun(s, { ...id, recipe: { sparsity: 0.5 } })).toThrow(
      /another recipe: checkpoint .*"pruneSteps":3.*, given \{"sparsity":0.5\}/,
    );
    // the end-only fields may differ: the final evaluation's threshold, the counting rules
    const ending = { ...reordered, exitThreshold: 0.95, countingProfile: 'seed' as const };
    expect(() => checkSameRun(s, { ...id, recipe: ending })).not.toThrow();
    const trained = { ...reordered, fineTune: { pruneSteps: 3, learningRate: 0.01 } };
    expect(() => checkSameRun(s, { ...id, recipe: trained })).toThrow(/another recipe/);
    expect(() => checkSameRun(s, { ...id, modelKey: 'abc' })).toThrow(/another model/);
    expect(() => checkSameRun(s, { ...id, seed: 5 })).toThrow('checkpoint has seed 4, given 5');
    expect(() => checkSameRun(s, { ...id, trainSize: 64 })).toThrow(/32 examples, given 64/);
  });

  it('the model fingerprint changes with one weight bit and with the graph', () => {
    const w = initWeights(graph, 2);
    const key = modelFingerprint(graph, w);
    expect(modelFingerprint(graph, initWeights(graph, 2))).toBe(key);
    const t = w.get('fc.weight')!;
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    bits[3] = bits[3]! ^ 1;
    expect(modelFingerprint(graph, w)).not.toBe(key);
    expect(modelFingerprint({ ...graph, name: 'other' }, initWeights(graph, 2))).not.toBe(key);
  });
});
