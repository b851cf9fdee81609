// The record of a job whose worker was lost: which running jobs are recorded (those with a
// spec, the Score panel's measurement included), how the record moves from "restarting" to
// "Restart job" (or "resumes" for a run the recovery resumed), when a new job supersedes it, and
// what it says.
import { describe, expect, it } from 'vitest';
import {
  interruptedText,
  onJobBegin,
  onJobFinish,
  recordInterrupted,
  settleInterrupted,
  withInterruptedState,
  withoutInterrupted,
  type InterruptedJob,
  type InterruptedJobs,
  type JobSpec,
} from './job-spec';
import { jobState, type JobKind } from './jobs-slice';

const REASON = 'it did not answer for 2 s';
const evalSpec: JobSpec = { kind: 'evaluate', batchSize: 25 };
const analyseSpec: JobSpec = {
  kind: 'analyse',
  settings: { kfacBatches: 2, batchSize: 16, hessianRecords: 16, topK: 3 },
};

const record = (slot: JobKind, spec: JobSpec, state: InterruptedJob['state']): InterruptedJob => ({
  slot,
  spec,
  reason: REASON,
  state,
});

describe('recordInterrupted', () => {
  it('records every running job with a spec, the measurement too, as recovering', () => {
    const running = [
      jobState('evaluate-1', 'evaluate', 'Evaluating', evalSpec),
      jobState('analyse-1', 'analyse', 'Analysing tiny', analyseSpec),
      jobState('measure-1', 'measure', 'Measuring', {
        kind: 'measure',
        measureKind: 'validation',
        recipe: { weightBits: 8 },
      }),
      jobState('load-1', 'load', 'Restoring the cached dataset'), // no spec: nothing to restart
      null,
    ];
    const r = recordInterrupted({}, running, REASON);
    expect(Object.keys(r).sort()).toEqual(['analyse', 'evaluate', 'measure']);
    expect(r.evaluate).toEqual(record('evaluate', evalSpec, 'recovering'));
    expect(r.measure?.spec).toEqual({
      kind: 'measure',
      measureKind: 'validation',
      recipe: { weightBits: 8 },
    });
  });

  it('keeps earlier records and replaces one of the same slot', () => {
    const prev: InterruptedJobs = { evaluate: record('evaluate', evalSpec, 'ready') };
    const r = recordInterrupted(prev, [jobState('a', 'analyse', 'A', analyseSpec)], 'boom');
    expect(r.evaluate).toBe(prev.evaluate);
    expect(r.analyse?.reason).toBe('boom');
    const again = recordInterrupted(r, [jobState('e', 'evaluate', 'E', evalSpec)], 'again');
    expect(again.evaluate).toMatchObject({ reason: 'again', state: 'recovering' });
  });
});

describe('record states', () => {
  it('settles recovering records as ready and leaves resumed ones', () => {
    const r = settleInterrupted({
      evaluate: record('evaluate', evalSpec, 'recovering'),
      train: record('train', { kind: 'train', config: trainConfig() }, 'resumed'),
    });
    expect(r.evaluate?.state).toBe('ready');
    expect(r.train?.state).toBe('resumed');
  });

  it('a new job supersedes a ready record, not one still recovering or resumed', () => {
    const ready = { evaluate: record('evaluate', evalSpec, 'ready') };
    expect(onJobBegin(ready, 'evaluate')).toEqual({});
    expect(onJobBegin(ready, 'analyse')).toBe(ready);
    const recovering = {
      train: record('train', { kind: 'train', config: trainConfig() }, 'recovering'),
    };
    expect(onJobBegin(recovering, 'train')).toBe(recovering);
    const resumed = withInterruptedState(recovering, 'train', 'resumed');
    expect(onJobBegin(resumed, 'train')).toBe(resumed);
    // … the resumed run's end closes its record; a ready one waits for its restart.
    expect(onJobFinish(resumed, 'train')).toEqual({});
    expect(onJobFinish(ready, 'evaluate')).toBe(ready);
  });

  it('marks and removes one slot only', () => {
    const r = { evaluate: record('evaluate', evalSpec, 'ready') };
    expect(withInterruptedState(r, 'analyse', 'ready')).toBe(r);
    expect(withoutInterrupted(r, 'analyse')).toBe(r);
    expect(withoutInterrupted(r, 'evaluate')).toEqual({});
  });
});

describe('interruptedText', () => {
  it('says what happened to the worker and to the job', () => {
    expect(interruptedText(record('evaluate', evalSpec, 'recovering'))).toBe(
      'The worker stopped (it did not answer for 2 s) — restarting it…',
    );
    expect(interruptedText(record('analyse', analyseSpec, 'ready'))).toBe(
      'The worker stopped (it did not answer for 2 s) — restarted; the analysis was interrupted.',
    );
    const train = record('train', { kind: 'train', config: trainConfig() }, 'resumed');
    expect(interruptedText(train)).toBe(
      'The worker stopped (it did not answer for 2 s) — restarted; the training run resumes ' +
        'from its checkpoint.',
    );
  });
});

function trainConfig() {
  return {
    model: 'tiny',
    epochs: 2,
    batchSize: 8,
    learningRate: 0.05,
    augment: { cropFlip: true, cutout: false, autoAugment: false },
    seed: 1,
  };
}
