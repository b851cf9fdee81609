// ownBuffer: a view is copied to a buffer of its own size; an array that owns its buffer is kept.
import { describe, expect, it } from 'vitest';
import { ownBuffer } from './own-buffer';

describe('ownBuffer', () => {
  it('keeps an array that owns its buffer and copies a view', () => {
    const whole = new Uint8Array([1, 2, 3, 4]);
    expect(ownBuffer(whole)).toBe(whole);
    const view = whole.subarray(1, 3);
    const owned = ownBuffer(view);
    expect(owned).not.toBe(view);
    expect([...owned]).toEqual([2, 3]);
    expect(owned.buffer.byteLength).toBe(2);
    const f = new Float32Array(new ArrayBuffer(16), 4, 2);
    expect(ownBuffer(f).buffer.byteLength).toBe(8);
  });
});
