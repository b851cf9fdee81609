import { describe, expect, it } from 'vitest';
import { explainBackendError } from './explain-error';

describe('explainBackendError', () => {
  it('names wasm heap exhaustion and what to do', () => {
    const e = explainBackendError(new RangeError('memory access out of bounds'), 'wasm');
    expect(e.message).toMatch(/wasm backend ran out of memory.*lower the batch size/);
    expect(e.message).toContain('memory access out of bounds');
  });
  it('names a lost WebGPU device', () => {
    expect(explainBackendError(new Error('GPU device was lost'), 'webgpu').message).toMatch(
      /WebGPU device was lost/,
    );
  });
  it('passes other errors through unchanged', () => {
    const err = new Error('labels out of range');
    expect(explainBackendError(err, 'wasm')).toBe(err);
    expect(explainBackendError('plain', 'cpu').message).toBe('plain');
    // The same trap on another backend is not a wasm heap problem.
    expect(explainBackendError(new Error('memory access out of bounds'), 'cpu').message).toBe(
      'memory access out of bounds',
    );
  });
});
