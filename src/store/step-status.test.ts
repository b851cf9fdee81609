// Each step's status in the navigation: not yet → busy → done, and Compress's "stale" once the
// recipe or the network moved on from the last measurement.
import { describe, expect, it } from 'vitest';
import { JOBS_DEFAULT, type JobState } from './jobs-slice';
import type { Measurement } from './score-slice';
import { stepStatuses, type StepInputs } from './step-status';

const job = { id: 'j', label: 'x', startedAt: 0, progress: null, cancelling: false } as JobState;
const split = { count: 500, source: 'test.bin' };
const network = {
  name: 'osi-micronet',
  origin: 'imported',
  source: null,
  params: 1,
  extraOutputs: [],
};

function inputs(patch: Partial<StepInputs> = {}): StepInputs {
  return {
    summary: null,
    jobs: JOBS_DEFAULT.jobs,
    network: null,
    evalResult: null,
    scoreInputs: null,
    score: null,
    measureState: 'idle',
    measurement: null,
    fullMeasurement: null,
    recipe: {},
    runs: [],
    historyLoaded: true,
    ...patch,
  } as StepInputs;
}

const scored = {
  network,
  scoreInputs: { networkId: 3 },
  score: { score: 0.006267 },
} as unknown as Partial<StepInputs>;

const measured = (recipeKey: string, networkId = 3) =>
  ({ recipeKey, networkId, n: 500, kind: 'validation' }) as unknown as Measurement;

describe('step statuses', () => {
  it('says "not yet" for an empty lab', () => {
    const s = stepStatuses(inputs());
    expect([s.data, s.model, s.train, s.compress].map((x) => x.text)).toEqual(
      Array(4).fill('not yet'),
    );
    expect(s.history).toEqual({ state: 'todo', text: 'empty' });
  });

  it('follows loading, importing, training and a loaded history', () => {
    const busy = stepStatuses(
      inputs({
        jobs: { ...JOBS_DEFAULT.jobs, load: job, model: job, train: job },
        historyLoaded: false,
      }),
    );
    expect([busy.data, busy.model, busy.train, busy.history].map((x) => x.state)).toEqual(
      Array(4).fill('busy'),
    );
    const done = stepStatuses(
      inputs({
        summary: { train: null, test: split, fineNames: [], coarseNames: [] },
        network: { ...network, origin: 'trained' },
        runs: [{}, {}] as StepInputs['runs'],
      } as Partial<StepInputs>),
    );
    expect(done.data).toEqual({ state: 'done', text: 'loaded' });
    expect(done.model).toEqual({ state: 'done', text: 'osi-micronet' });
    expect(done.train).toEqual({ state: 'done', text: 'trained' });
    expect(done.history).toEqual({ state: 'done', text: '2 runs' });
  });

  it('tells a scored, measuring, measured and stale Compress step apart', () => {
    expect(stepStatuses(inputs(scored)).compress).toEqual({ state: 'done', text: 'scored' });
    const measuring = inputs({ ...scored, measureState: 'measuring' });
    expect(stepStatuses(measuring).compress.state).toBe('busy');
    const now = inputs({ ...scored, measurement: measured('{}') });
    expect(stepStatuses(now).compress).toEqual({ state: 'done', text: 'measured' });
    const otherRecipe = inputs({
      ...scored,
      recipe: { weightBits: 8 },
      measurement: measured('{}'),
    });
    expect(stepStatuses(otherRecipe).compress).toEqual({ state: 'stale', text: 'stale' });
    const otherNetwork = inputs({ ...scored, fullMeasurement: measured('{}', 2) });
    expect(stepStatuses(otherNetwork).compress.state).toBe('stale');
  });
});
