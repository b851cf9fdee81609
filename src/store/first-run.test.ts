// The first-run hint is remembered once dismissed and can be brought back; storage that is missing
// or throws never breaks the lab (the hint just shows again).
import { describe, expect, it } from 'vitest';
import {
  forgetHintDismissed,
  HINT_KEY,
  readHintDismissed,
  rememberHintDismissed,
  type HintStorage,
} from './first-run';

function memoryStorage(): HintStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

const broken: HintStorage = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError');
  },
};

describe('first-run hint memory', () => {
  it('is not dismissed at first, and stays dismissed once remembered', () => {
    const storage = memoryStorage();
    expect(readHintDismissed(storage)).toBe(false);
    expect(rememberHintDismissed(storage)).toBe(true);
    expect(storage.map.get(HINT_KEY)).toBe('dismissed');
    expect(readHintDismissed(storage)).toBe(true);
  });

  it('shows again once the dismissal is forgotten', () => {
    const storage = memoryStorage();
    rememberHintDismissed(storage);
    expect(forgetHintDismissed(storage)).toBe(true);
    expect(storage.map.has(HINT_KEY)).toBe(false);
    expect(readHintDismissed(storage)).toBe(false);
  });

  it('treats a missing or failing storage as "show the hint"', () => {
    expect(readHintDismissed(null)).toBe(false);
    expect(rememberHintDismissed(null)).toBe(false);
    expect(readHintDismissed(broken)).toBe(false);
    expect(rememberHintDismissed(broken)).toBe(false);
    expect(forgetHintDismissed(null)).toBe(false);
    expect(forgetHintDismissed(broken)).toBe(false);
  });
});
