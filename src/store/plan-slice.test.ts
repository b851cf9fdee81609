// Sensitivity and plan slices: "Measure sensitivity" asks the worker for the first N test images
// under the current recipe, with progress and cancel; "Find a recipe" needs a report of the
// current network and a valid target; the proposal is edited without touching the recipe, and
// "Apply" makes it the current recipe (URL, score and measurement follow as for any edit). The
// worker is a fake (lab-client mocked); scoring uses the real core on the tiny net.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { layerZeroFractions, magnitudeProfile } from '../core/compress/sparsity/index';
import { initWeights } from '../core/graph/params';
import { buildTinyNet } from '../core/models/tiny';
import type { JobProgress, ScoreInputs } from '../worker/lab-types';
import type {
  PlanRequest,
  PlanResponse,
  SensitivityRequest,
  SensitivityResult,
} from '../protocol/sensitivity';

interface PendingSensitivity {
  id: string;
  request: SensitivityRequest;
  onProgress: (p: JobProgress) => void;
  resolve: (r: SensitivityResult) => void;
  reject: (e: Error) => void;
}

const fake = vi.hoisted(() => ({
  inputs: null as ScoreInputs | null,
  sensitivity: [] as PendingSensitivity[],
  plans: [] as PlanRequest[],
  plan: null as PlanResponse | null,
  measures: [] as string[],
  cancelled: [] as string[],
}));

vi.mock('../client/lab-client', () => {
  let n = 0;
  return {
    getLab: () => ({
      measureRecipe: (id: string) => {
        fake.measures.push(id);
        return new Promise(() => undefined);
      },
      measureSensitivity: (
        id: string,
        request: SensitivityRequest,
        onProgress: (p: JobProgress) => void,
      ) =>
        new Promise<SensitivityResult>((resolve, reject) =>
          fake.sensitivity.push({ id, request, onProgress, resolve, reject }),
        ),
      planRecipe: (r: PlanRequest) => {
        fake.plans.push(r);
        return fake.plan ? Promise.resolve(fake.plan) : Promise.reject(new Error('no plan'));
      },
      cancel: (id: string) => {
        fake.cancelled.push(id);
        const p = fake.sensitivity.find((m) => m.id === id);
        p?.reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        return Promise.resolve(true);
      },
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const { MEASURE_DEBOUNCE_MS } = await import('./score-slice');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();

const tiny = buildTinyNet();
const weights = initWeights(tiny, 1);

function inputsOf(networkId: number): ScoreInputs {
  return {
    graph: tiny,
    profile: magnitudeProfile(tiny, weights),
    layerZeroFraction: layerZeroFractions(tiny, weights),
    exitRate: null,
    network: { name: 'tiny', origin: 'initialised', source: null, params: 0, extraOutputs: [] },
    networkId,
    networkKey: `tiny#${networkId}`,
  };
}

function report(reportId = 3): SensitivityResult {
  const pt = (value: number, top1: number) => ({ value, loss: 2 + (0.5 - top1), top1 });
  return {
    n: 64,
    base: { loss: 2, top1: 0.5 },
    layers: ['conv1', 'conv2', 'conv3', 'fc'].map((layer) => ({
      layer,
      op: 'conv2d',
      params: 100,
      bits: [pt(2, 0.1), pt(8, 0.5)],
      sparsity: [pt(0.5, 0.4)],
    })),
    recipe: {},
    seconds: 1,
    reportId,
    calibratedOn: 'train',
  };
}

const planned: PlanResponse = {
  recipe: {
    activationBits: 8,
    layerBits: {
      conv1: { weight: 8 },
      conv2: { weight: 4 },
      conv3: { weight: 4 },
      fc: { weight: 4 },
    },
  },
  score: 0.0009,
  feasible: true,
  predictedTop1: 0.45,
  predictedLossIncrease: 0.1,
  layers: [
    { layer: 'conv1', weightBits: 8, sparsity: 0, deltaLoss: 0 },
    { layer: 'conv2', weightBits: 4, sparsity: 0, deltaLoss: 0.03 },
    { layer: 'conv3', weightBits: 4, sparsity: 0, deltaLoss: 0.03 },
    { layer: 'fc', weightBits: 4, sparsity: 0, deltaLoss: 0.04 },
  ],
  baseSparsity: { conv1: 0, conv2: 0, conv3: 0, fc: 0 },
};

const st = () => useLabStore.getState();

async function ready(networkId = 1): Promise<void> {
  fake.inputs = inputsOf(networkId);
  useLabStore.setState({
    backendStatus: 'ready',
    summary: {
      train: { count: 500, source: 'train.bin' },
      test: { count: 300, source: 'test.bin' },
      fineNames: [],
      coarseNames: [],
    },
  });
  st().applyNetworkChange(changeOf(fake.inputs.network, fake.inputs));
}

/** Runs "Measure sensitivity" and answers it with `r`. */
async function measured(r = report()): Promise<void> {
  const done = st().measureSensitivity();
  await vi.waitFor(() => expect(fake.sensitivity).toHaveLength(1));
  fake.sensitivity[0]!.resolve(r);
  await done;
}

beforeEach(() => {
  vi.useFakeTimers();
  useLabStore.setState(initial, true);
  Object.assign(fake, { inputs: null, sensitivity: [], plans: [], plan: null, measures: [] });
  fake.cancelled = [];
});

afterEach(() => vi.useRealTimers());

describe('sensitivity slice', () => {
  it('measures the first N test images under the current recipe, with progress', async () => {
    await ready();
    st().setBits({ activation: 8 });
    st().setSensitivityImages(128);
    const done = st().measureSensitivity();
    await vi.waitFor(() => expect(fake.sensitivity).toHaveLength(1));
    const call = fake.sensitivity[0]!;
    expect(call.request).toEqual({ images: 128, recipe: { activationBits: 8 } });
    expect(st().jobs.sensitivity?.label).toBe('Measuring sensitivity on 128 test images');
    call.onProgress({ phase: 'conv2', done: 3, total: 12, unit: 'runs', etaSeconds: null });
    expect(st().jobs.sensitivity?.progress).toMatchObject({ phase: 'conv2', done: 3, total: 12 });
    // While it runs, the recipe's accuracy is not measured (the network is busy).
    expect(st().measureState).toBe('idle');
    call.resolve(report());
    await done;
    expect(st().jobs.sensitivity).toBeNull();
    expect(st().sensitivity?.layers).toHaveLength(4);
    expect(st().sensitivityNetworkId).toBe(1);
  });

  it('refuses a bad image count, naming it, without calling the worker', async () => {
    await ready();
    st().setSensitivityImages(301);
    await st().measureSensitivity();
    expect(st().sensitivityError).toBe('301 images asked; the test split has 300.');
    st().setSensitivityImages(2.5);
    await st().measureSensitivity();
    expect(st().sensitivityError).toBe('Images must be a whole number ≥ 1 (got 2.5).');
    expect(fake.sensitivity).toHaveLength(0);
  });

  it('cancels by job id and says so', async () => {
    await ready();
    const done = st().measureSensitivity();
    await vi.waitFor(() => expect(fake.sensitivity).toHaveLength(1));
    await st().cancelSensitivity();
    await done;
    expect(fake.cancelled).toEqual([fake.sensitivity[0]!.id]);
    expect(st().sensitivityNotice).toBe('Sensitivity measurement cancelled.');
    expect(st().sensitivity).toBeNull();
    expect(st().jobs.sensitivity).toBeNull();
  });
});

describe('plan slice', () => {
  it('needs a report of the current network and a valid target', async () => {
    await ready();
    st().setPlanSettings({ targetScore: 0.001 });
    await st().findRecipe();
    expect(st().planError).toBe('Measure the sensitivity first: the planner works from it.');
    await measured();
    st().setPlanSettings({ targetScore: -1 });
    await st().findRecipe();
    expect(st().planError).toBe('The target score must be a number > 0 (got -1).');
    st().setPlanSettings({ targetScore: null });
    await st().findRecipe();
    expect(st().planError).toBe('Type the target score.');
    st().setPlanSettings({ goal: 'accuracy', targetScore: 0.001, accuracyFloorPercent: 120 });
    await st().findRecipe();
    expect(st().planError).toBe('The accuracy floor must be a percentage in (0, 100] (got 120).');
    expect(fake.plans).toHaveLength(0);
    // Another network: the report is stale.
    await ready(2);
    st().setPlanSettings({ goal: 'score', targetScore: 0.001, accuracyFloorPercent: null });
    await st().findRecipe();
    expect(st().planError).toBe(
      'The sensitivity belongs to an earlier network: measure it again first.',
    );
  });

  it('proposes, lets the user edit without applying, then applies on demand', async () => {
    await ready();
    st().setBits({ activation: 8 });
    await measured();
    fake.plan = planned;
    st().setPlanSettings({ targetScore: 0.001, accuracyFloorPercent: 40 });
    const before = st().recipe;
    await st().findRecipe();
    // Exactly one goal goes to the planner: the score (the floor typed before is kept aside).
    expect(fake.plans).toEqual([{ reportId: 3, base: { activationBits: 8 }, targetScore: 0.001 }]);
    const p = st().proposal!;
    expect(p.rows.map((r) => r.weightBits)).toEqual([8, 4, 4, 4]);
    expect(st().recipe).toBe(before); // nothing applied yet
    st().editProposalRow('conv2', { weightBits: 6 });
    st().editProposalRow('fc', { weightBits: 1 });
    expect(st().planError).toBe(
      'fc: weight bits must be a whole number in 2–16 or 32 (off), got 1',
    );
    expect(st().recipe).toBe(before);
    const scoreBefore = st().score!.score;

    st().applyProposal();
    expect(st().recipe).toEqual({
      activationBits: 8,
      layerBits: {
        conv1: { weight: 8 },
        conv2: { weight: 6 },
        conv3: { weight: 4 },
        fc: { weight: 4 },
      },
    });
    expect(st().proposal).toBeNull();
    expect(st().planNotice).toBe('Applied the proposed recipe with your edits (conv2 4 → 6 bits).');
    expect(st().score!.score).not.toBe(scoreBefore);
    expect(st().measureState).toBe('pending');
    vi.advanceTimersByTime(MEASURE_DEBOUNCE_MS);
    await vi.waitFor(() => expect(fake.measures).toHaveLength(1));
  });

  it('refuses to apply a proposal planned for an earlier network', async () => {
    await ready();
    await measured();
    fake.plan = planned;
    st().setPlanSettings({ targetScore: 0.001 });
    await st().findRecipe();
    await ready(2);
    const before = st().recipe;
    st().applyProposal();
    expect(st().planError).toBe(
      'The proposal was planned for an earlier network: find a recipe again.',
    );
    expect(st().recipe).toBe(before);
  });

  it('shows the worker`s error', async () => {
    await ready();
    await measured();
    st().setPlanSettings({ targetScore: 0.001 });
    await st().findRecipe();
    expect(st().planError).toBe('no plan');
    expect(st().planning).toBe(false);
    expect(st().proposal).toBeNull();
  });
});
