import { describe, expect, it } from 'vitest';
import { parseBackendParam } from './backend-slice';
import { describeCounts } from './data-slice';
import { TRAIN_DEFAULT, validateTrainSettings } from './train-slice';

describe('store helpers', () => {
  it('reads ?backend= and rejects unknown names with a note', () => {
    expect(parseBackendParam('')).toEqual({ preference: 'auto', note: null });
    expect(parseBackendParam('?backend=cpu')).toEqual({ preference: 'cpu', note: null });
    expect(parseBackendParam('?x=1&backend=WebGPU')).toEqual({ preference: 'webgpu', note: null });
    const bad = parseBackendParam('?backend=metal');
    expect(bad.preference).toBe('auto');
    expect(bad.note).toContain('metal');
  });

  it('describes split counts', () => {
    const names = { fineNames: [], coarseNames: [] };
    expect(
      describeCounts({
        train: { count: 50000, source: 'a' },
        test: { count: 200, source: 'b' },
        ...names,
      }),
    ).toBe('50,000 train and 200 test images');
    expect(describeCounts({ train: null, test: { count: 7, source: 'b' }, ...names })).toBe(
      '7 test images',
    );
  });

  it('validates training settings', () => {
    expect(validateTrainSettings(TRAIN_DEFAULT.trainSettings)).toBeNull();
    expect(validateTrainSettings({ ...TRAIN_DEFAULT.trainSettings, epochs: 0 })).toContain(
      'Epochs',
    );
    expect(validateTrainSettings({ ...TRAIN_DEFAULT.trainSettings, batchSize: 1 })).toContain(
      'Batch size',
    );
    expect(
      validateTrainSettings({ ...TRAIN_DEFAULT.trainSettings, learningRate: Number.NaN }),
    ).toContain('Learning rate');
  });
});
