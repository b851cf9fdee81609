// What training does to the current network, said first (fake worker): with the current network
// kept by the stack, Start runs at once and the end says the trained network replaced it and Undo
// brings it back; with one the stack could not keep, Start asks first — "Keep the current network"
// runs nothing, "Train anyway" runs — and a cancel after some steps says the network was replaced;
// one before the first step says it is unchanged.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkInfo, TrainSummary } from '../worker/lab-types';
import type { WithChange } from '../protocol/network-change';
import type { StackView } from '../worker/stack-state';
import { needsTrainConfirm, trainEndNote, trainReplaceNote } from './train-replace';

const osi: NetworkInfo = {
  name: 'osi-micronet',
  origin: 'imported',
  source: 'trained_model.pth',
  params: 500_000,
  extraOutputs: ['exit'],
};
const stack = (currentKept: boolean): StackView => ({
  entries: [
    { id: 'a', label: 'Imported trained_model.pth', name: 'osi-micronet', params: 1, savedAt: 0 },
  ],
  index: 0,
  canUndo: !currentKept,
  canRedo: false,
  currentKept,
});

const fake = vi.hoisted(() => ({
  kept: true,
  trains: [] as { resolve: (s: TrainSummary) => void }[],
}));

vi.mock('../client/lab-client', async () => {
  const { changeOf } = await import('./network-change.test-helpers');
  return {
    getLab: () => ({
      networkStack: () => Promise.resolve(stack(fake.kept)),
      cancel: () => Promise.resolve(true),
      train: () =>
        new Promise<WithChange<TrainSummary>>((resolve) =>
          fake.trains.push({ resolve: (s) => resolve({ ...s, change: changeOf(osi) }) }),
        ),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-1`,
    isAbort: () => false,
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const st = () => useLabStore.getState();

const summary = (steps: number, cancelled: boolean): TrainSummary => ({
  steps,
  epochs: 0,
  cancelled,
  finalLoss: null,
  finalAccuracy: null,
  seconds: 1,
});

beforeEach(() => {
  fake.trains = [];
  useLabStore.setState({
    network: osi,
    networkStack: null,
    modelName: 'tiny',
    trainConfirm: false,
  });
});

describe('train-replace notes', () => {
  it('asks only when a current network is not kept (an unknown stack does not ask)', () => {
    expect(needsTrainConfirm(null, stack(false))).toBe(false);
    expect(needsTrainConfirm(osi, stack(true))).toBe(false);
    expect(needsTrainConfirm(osi, stack(false))).toBe(true);
    expect(needsTrainConfirm(osi, null)).toBe(false);
    expect(trainReplaceNote(null, null, 'tiny')).toBeNull();
    expect(trainReplaceNote(osi, stack(true), 'tiny')).toContain(
      'osi-micronet (trained_model.pth) stays current until the run ends',
    );
    expect(trainReplaceNote(osi, stack(false), 'tiny')).toContain('replaces it for good');
    expect(trainEndNote(0, 'tiny', osi, true)).toContain('is unchanged');
    expect(trainEndNote(5, 'tiny', osi, true)).toContain('Undo network brings it back');
    expect(trainEndNote(5, 'tiny', osi, false)).toContain('not kept for undo');
    expect(trainEndNote(5, 'tiny', null, false)).toBe(
      'The trained tiny is now the current network.',
    );
  });
});

describe('starting a training run', () => {
  it('runs at once when the stack keeps the current network', async () => {
    fake.kept = true;
    const run = st().startTraining();
    await vi.waitFor(() => expect(fake.trains).toHaveLength(1));
    expect(st().trainConfirm).toBe(false);
    expect(st()).toMatchObject({ trainReplaced: osi, trainReplacedKept: true });
    fake.trains[0]!.resolve(summary(3, true));
    await run;
    expect(st().trainStatus).toBe('cancelled');
  });

  it('asks first when it is not kept: Keep runs nothing, Train anyway runs', async () => {
    fake.kept = false;
    await st().startTraining();
    expect(st().trainConfirm).toBe(true);
    expect(fake.trains).toHaveLength(0);
    st().dismissTrainConfirm();
    expect(st().trainConfirm).toBe(false);
    await st().startTraining();
    expect(st().trainConfirm).toBe(true);
    const run = st().confirmTraining();
    await vi.waitFor(() => expect(fake.trains).toHaveLength(1));
    expect(st()).toMatchObject({ trainConfirm: false, trainReplacedKept: false });
    fake.trains[0]!.resolve(summary(0, true));
    await run;
    expect(st().trainStatus).toBe('cancelled');
  });
});
