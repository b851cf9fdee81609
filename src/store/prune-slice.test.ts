// Prune slice and its pure spec edits: a row's ratio belongs to its channel group (so every
// coupled layer shows it), edits are planned once they settle (150 ms, one plan in flight, the
// newest request wins), Suggest fills the rows from the global-threshold plan, Prune makes the
// smaller network current through its NetworkChange (and drops what belonged to the old one),
// the schedule streams its iterations and a resume starts from the saved history. The worker is
// a fake (lab-client mocked).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PruneSpec } from '../core/recipe/index';
import type {
  NetworkInfo,
  PlanGroup,
  PruneOutcome,
  PrunePlan,
  ScheduleIteration,
  ScheduleOutcome,
  ScheduleRequest,
  ScheduleSaved,
} from '../worker/lab-types';
import type { WithChange } from '../protocol/network-change';

interface PlanCall {
  spec: PruneSpec;
  resolve: (p: PrunePlan) => void;
  reject: (e: Error) => void;
}

const fake = vi.hoisted(() => ({
  plans: [] as PlanCall[],
  prune: null as null | ((spec: PruneSpec) => Promise<WithChange<PruneOutcome>>),
  schedule: null as
    | null
    | ((
        spec: PruneSpec,
        r: ScheduleRequest,
        onIteration: (r: ScheduleIteration) => void,
      ) => Promise<WithChange<ScheduleOutcome>>),
}));

vi.mock('../client/lab-client', () => {
  let n = 0;
  return {
    getLab: () => ({
      planPrune: (spec: PruneSpec) =>
        new Promise<PrunePlan>((resolve, reject) => fake.plans.push({ spec, resolve, reject })),
      prune: (_id: string, spec: PruneSpec) => fake.prune!(spec),
      runPruneSchedule: (
        _id: string,
        spec: PruneSpec,
        r: ScheduleRequest,
        onIteration: (r: ScheduleIteration) => void,
      ) => fake.schedule!(spec, r, onIteration),
      savedPruneSchedule: () => Promise.reject(new Error('asked only after a failed schedule')),
      cancel: () => Promise.resolve(true),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const { PLAN_DEBOUNCE_MS, pruneBlocker } = await import('./prune-slice');
const edit = await import('./prune-edit');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();

const NET: NetworkInfo = {
  name: 'tiny',
  origin: 'trained',
  source: null,
  params: 30196,
  extraOutputs: [],
};

function group(id: string, ratio: number, layers: PlanGroup['layers']): PlanGroup {
  return {
    id,
    width: 32,
    kept: 32 - Math.round(ratio * 32),
    ratio,
    capped: false,
    override: false,
    producers: layers.filter((l) => l.role === 'out').map((l) => l.name),
    layers,
  };
}

const CONV2 = group('conv2', 0.25, [
  { name: 'conv2', role: 'out' },
  { name: 'bn2', role: 'bn' },
  { name: 'conv3', role: 'in' },
]);
const CONV1 = group('conv1', 0.125, [
  { name: 'conv1', role: 'out' },
  { name: 'bn1', role: 'bn' },
  { name: 'conv2', role: 'in' },
]);

function planOf(groups: PlanGroup[], paramsAfter = 20000): PrunePlan {
  return {
    method: 'channels',
    paramsBefore: 30196,
    paramsAfter,
    scoreBefore: 0.01,
    scoreAfter: 0.008,
    scoreError: null,
    groups,
    layers: [],
    analysisId: null,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  useLabStore.setState(initial, true);
  fake.plans = [];
});
afterEach(() => vi.useRealTimers());

describe('prune-edit', () => {
  const spec: PruneSpec = { method: 'channels', ratio: 0.2, limit: 0.5 };

  it('edits ratios per row, clears them, and refuses out-of-range values', () => {
    const a = edit.withRowRatio(spec, 'conv2', 0.5);
    expect(a).toEqual({ ...spec, layerRatios: { conv2: 0.5 } });
    expect(edit.withRowRatio(a, 'conv2', null)).toEqual(spec);
    expect(edit.withMethod(a, 'eigenbasis')).toEqual({ ...spec, method: 'eigenbasis' });
    expect(edit.withMethod(a, 'channels')).toBe(a);
    expect(() => edit.withRowRatio(spec, 'conv2', 1)).toThrow(
      "The ratio of 'conv2' must be a number in [0, 0.95], got 1",
    );
    expect(() => edit.withLimit(spec, -0.1)).toThrow('got -0.1');
    expect(edit.rowRatio(a, 'conv2', 0.1)).toBe(0.5);
    expect(edit.rowRatio(a, 'conv1', 0.1)).toBe(0.1);
  });

  it('suggests the planned ratio of every group (or layer)', () => {
    expect(edit.suggestedRatios(planOf([CONV1, CONV2]))).toEqual({ conv1: 0.125, conv2: 0.25 });
    const eigen: PrunePlan = {
      ...planOf([]),
      method: 'eigenbasis',
      layers: [
        {
          name: 'fc',
          kernel: 1,
          inChannels: 64,
          outChannels: 100,
          keptRows: 50,
          keptCols: 32,
          ratio: 82 / 164,
          paramsBefore: 6400,
          paramsAfter: 4000,
          factorize: true,
          override: false,
        },
      ],
    };
    expect(edit.suggestedRatios(eigen)).toEqual({ fc: 0.5 });
  });

  it('lays out each group`s layers together, the first row heading the block', () => {
    expect(edit.groupRows([CONV1, CONV2]).map((r) => [r.group, r.layer, r.role, r.first])).toEqual([
      ['conv1', 'conv1', 'out', true],
      ['conv1', 'bn1', 'bn', false],
      ['conv1', 'conv2', 'in', false],
      ['conv2', 'conv2', 'out', true],
      ['conv2', 'bn2', 'bn', false],
      ['conv2', 'conv3', 'in', false],
    ]);
  });

  it('checks the schedule settings and builds its spec', () => {
    const s = edit.SCHEDULE_DEFAULT;
    expect(edit.scheduleSettingsError(s)).toBeNull();
    expect(edit.scheduleSettingsError({ ...s, iterations: 0 })).toContain('got 0');
    expect(edit.scheduleSettingsError({ ...s, growBack: 1 })).toContain('Grow-back');
    expect(edit.scheduleSettingsError({ ...s, targetAccuracy: 1.5 })).toContain('1.5');
    expect(
      edit.scheduleSpec(spec, { ...s, iterations: 4, growBack: 0.1, targetAccuracy: 0.6 }),
    ).toEqual({ ...spec, iterations: 4, growBack: 0.1, targetAccuracy: 0.6 });
    expect(edit.scheduleSpec(spec, s)).toEqual({ ...spec, iterations: 3 });
  });
});

describe('prune slice', () => {
  it('an edit highlights its group and is planned once edits settle; the newest plan wins', async () => {
    useLabStore.setState({ network: NET });
    st().setRowRatio('conv2', 0.3);
    st().setRowRatio('conv2', 0.5);
    expect(st().pruneSpec.layerRatios).toEqual({ conv2: 0.5 });
    expect(st().editedRow).toBe('conv2');
    expect(st().planState).toBe('pending');
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS - 1);
    expect(fake.plans).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.plans.map((p) => p.spec.layerRatios)).toEqual([{ conv2: 0.5 }]);
    expect(st().planState).toBe('planning');

    // Another edit while that plan is on its way: the old answer is ignored.
    st().setPruneRatio(0.4);
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    fake.plans[0]!.resolve(planOf([CONV2], 11111));
    await vi.advanceTimersByTimeAsync(0);
    expect(st().plan).toBeNull();
    fake.plans[1]!.resolve(planOf([CONV2], 22222));
    await vi.advanceTimersByTimeAsync(0);
    expect([st().plan?.paramsAfter, st().planState]).toEqual([22222, 'done']);

    // A bad value: an error, the spec unchanged, nothing planned.
    st().setRowRatio('conv2', 2);
    expect(st().planError).toContain('got 2');
    expect(st().pruneSpec.layerRatios).toEqual({ conv2: 0.5 });
  });

  it('Suggest fills every group`s ratio from the global threshold', async () => {
    useLabStore.setState({
      network: NET,
      pruneSpec: { method: 'channels', ratio: 0.2, layerRatios: { conv1: 0.9 } },
    });
    const done = st().suggestRatios();
    expect(fake.plans[0]!.spec).toEqual({ method: 'channels', ratio: 0.2 }); // overrides left out
    fake.plans[0]!.resolve(planOf([CONV1, CONV2]));
    await done;
    expect(st().pruneSpec.layerRatios).toEqual({ conv1: 0.125, conv2: 0.25 });
  });

  it('Prune makes the smaller network current and forgets what belonged to the old one', async () => {
    expect(pruneBlocker(st())).toContain('No current network');
    const smaller = { ...NET, params: 18644 };
    fake.prune = (spec) => {
      expect(spec.layerRatios).toEqual({ conv2: 0.5 });
      return Promise.resolve({
        paramsBefore: 30196,
        paramsAfter: 18644,
        network: smaller,
        seconds: 1,
        change: changeOf(smaller, null, { networkKey: 'tiny#pruned' }), // no analysis fits it
      });
    };
    useLabStore.setState({
      network: NET,
      pruneSpec: { method: 'channels', ratio: 0.2, layerRatios: { conv2: 0.5 } },
      evalResult: { top1: 0.5 } as never,
      analysis: { analysisId: 1 } as never,
    });
    await st().pruneNow();
    expect(st().network).toBe(smaller);
    expect(st().pruneNotice).toContain('30,196 → 18,644 parameters');
    expect(st().pruneSpec).toEqual({ method: 'channels', ratio: 0.2 });
    expect(st().evalResult).toBeNull();
    expect(st().jobs.prune).toBeNull();
    expect(st().analysisStale).toBe(true); // the change's analysis id is null
    expect([st().pruneNetworkKey, st().currentNetworkKey]).toEqual(['tiny#pruned', 'tiny#pruned']);
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    expect(fake.plans).toHaveLength(1); // planned again on the new network
  });

  it('the schedule streams its iterations; a resume starts from the saved history', async () => {
    const it1: ScheduleIteration = { iteration: 1, step: 'prune', params: 25000, top1: 0.4 };
    const it2: ScheduleIteration = { iteration: 2, step: 'grow', params: 26000, top1: 0.42 };
    let seenDuringRun: ScheduleIteration[] = [];
    fake.schedule = (spec, r, onIteration) => {
      expect(spec).toMatchObject({ method: 'channels', iterations: 2 });
      expect(r).toMatchObject({ resume: false, epochs: 1 });
      onIteration(it1);
      seenDuringRun = st().scheduleHistory;
      const saved: ScheduleSaved = { iteration: 1, iterations: 2, history: [it1] };
      return Promise.resolve({
        status: 'cancelled',
        history: [it1],
        network: null,
        paramsBefore: 30196,
        paramsAfter: 30196,
        change: changeOf({ ...NET }, null, { scheduleSaved: saved }), // the network is unchanged
      });
    };
    useLabStore.setState({
      network: NET,
      scheduleSettings: { ...st().scheduleSettings, iterations: 2 },
    });
    await st().runSchedule(false);
    expect(seenDuringRun).toEqual([it1]);
    expect([st().scheduleStatus, st().network]).toEqual(['cancelled', NET]);
    expect(st().network).toBe(NET); // nothing about it changed: the same object, no new plan
    expect(st().scheduleSaved).toEqual({ iteration: 1, iterations: 2, history: [it1] });

    const done = { ...NET, params: 26000 };
    fake.schedule = (_spec, r, onIteration) => {
      expect(r.resume).toBe(true);
      expect(st().scheduleHistory).toEqual([it1]); // the saved history is shown from the start
      onIteration(it2);
      return Promise.resolve({
        status: 'completed',
        history: [it1, it2],
        network: done,
        paramsBefore: 30196,
        paramsAfter: 26000,
        change: changeOf(done),
      });
    };
    await st().runSchedule(true);
    expect([st().scheduleStatus, st().network, st().scheduleSaved]).toEqual([
      'completed',
      done,
      null,
    ]);
    expect(st().scheduleHistory).toEqual([it1, it2]);
    expect(st().pruneNotice).toContain('30,196 → 26,000');

    useLabStore.setState({ scheduleSettings: { ...st().scheduleSettings, epochs: -1 } });
    await st().runSchedule(false);
    expect(st().pruneError).toContain('Fine-tune epochs');
  });
});
