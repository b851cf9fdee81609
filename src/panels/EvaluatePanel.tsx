/**
 * Evaluate panel: top-1 / top-5 accuracy and mean cross-entropy of the current network on the
 * whole test split or its first N images, with a progress bar and Cancel, and what the result
 * means for the MicroNet Challenge (EvalEligibility).
 */
import { useId } from 'react';
import { CountField } from '../components/CountField';
import { JobInterrupted } from '../components/JobInterrupted';
import { ProgressBar } from '../components/ProgressBar';
import { formatCount, formatPercent } from '../format/format';
import { EligibilityTag } from '../components/EligibilityTag';
import { eligibilityOf } from '../store/eligibility';
import { isFullTest } from '../store/measure-records';
import { isStale } from '../store/stack-slice';
import { useLabStore } from '../store/lab-store';
import type { EvalResult } from '../worker/lab-types';

/** What the evaluation means for the challenge: the network as it is, on these images. */
function EvalEligibility({ r, stale }: { r: EvalResult; stale: boolean }) {
  const top1 = r.earlyExit?.top1 ?? r.top1;
  const e = eligibilityOf(
    isFullTest(r.n) ? { full: { top1 }, slice: null } : { full: null, slice: { top1, n: r.n } },
  );
  return (
    <p className="hint" data-testid="eval-eligibility" data-stale={stale}>
      {stale && (
        <span className="stale-note" data-testid="eval-stale">
          For an earlier network (the current one changed since): evaluate again.{' '}
        </span>
      )}
      This network as it is: <EligibilityTag e={e} />
    </p>
  );
}

export function EvaluatePanel() {
  const id = useId();
  const testCount = useLabStore((s) => s.summary?.test?.count ?? null);
  const job = useLabStore((s) => s.jobs.evaluate);
  const locked = useLabStore(
    (s) =>
      s.jobs.train !== null ||
      s.jobs.load !== null ||
      s.jobs.model !== null ||
      s.backendStatus !== 'ready',
  );
  const result = useLabStore((s) => s.evalResult);
  const error = useLabStore((s) => s.evalError);
  const notice = useLabStore((s) => s.evalNotice);
  const batchSize = useLabStore((s) => s.evalBatchSize);
  const limit = useLabStore((s) => s.evalLimit);
  const stale = useLabStore((s) => isStale(s.evalResult?.networkKey, s.currentNetworkKey));
  const runs = useLabStore((s) => s.evalRuns);
  const model = useLabStore((s) => s.network?.name ?? s.trainedModel ?? s.modelName);
  const { setEvalBatchSize, setEvalLimit, startEvaluation, cancelEvaluation } =
    useLabStore.getState();
  const canRun = testCount !== null && job === null && !locked;

  return (
    <section className="panel panel-eval" aria-labelledby="eval-heading">
      <h2 id="eval-heading">Evaluate</h2>
      <p className="hint">
        {testCount === null
          ? 'Load a test split to evaluate.'
          : `Top-1 / top-5 of ${model} on ${formatCount(testCount)} test images, or the first N of them (a quicker estimate).`}
      </p>
      <div className="eval-controls">
        <div className="field">
          <label htmlFor={id}>Batch size</label>
          <input
            id={id}
            type="number"
            min={1}
            step={1}
            value={Number.isNaN(batchSize) ? '' : batchSize}
            disabled={job !== null}
            onChange={(e) => setEvalBatchSize(e.currentTarget.valueAsNumber)}
          />
        </div>
        <CountField
          label="Test images"
          value={limit}
          all={testCount}
          onChange={setEvalLimit}
          disabled={job !== null}
          testId="eval-limit"
        />
        <button
          type="button"
          className="primary"
          onClick={() => void startEvaluation()}
          disabled={!canRun}
        >
          Evaluate
        </button>
      </div>
      <ProgressBar job={job} name="Evaluation progress" onCancel={() => void cancelEvaluation()} />
      <JobInterrupted slot="evaluate" />
      <dl
        className={`results${stale ? ' stale' : ''}`}
        data-testid="eval-results"
        data-runs={runs}
        data-stale={stale}
      >
        <div className="stat">
          <dt>top-1</dt>
          <dd data-testid="eval-top1">{result ? formatPercent(result.top1) : '—'}</dd>
        </div>
        <div className="stat">
          <dt>top-5</dt>
          <dd data-testid="eval-top5">{result ? formatPercent(result.top5) : '—'}</dd>
        </div>
        <div className="stat">
          <dt>loss</dt>
          <dd>{result ? result.loss.toFixed(4) : '—'}</dd>
        </div>
        <div className="stat">
          <dt>images/s</dt>
          <dd>{result ? result.imagesPerSecond.toFixed(0) : '—'}</dd>
        </div>
      </dl>
      <p className={error ? 'status status-error' : 'status'} role={error ? 'alert' : 'status'}>
        {error ??
          notice ??
          (result
            ? `${formatCount(result.n)} images, ${result.model}${result.untrained ? ' (untrained)' : ''}.` +
              (result.earlyExit
                ? ` With early exit: ${formatPercent(result.earlyExit.top1)} top-1, ` +
                  `${formatPercent(result.earlyExit.exitRate, 1)} exit.`
                : '')
            : '\u00a0')}
      </p>
      {result && <EvalEligibility r={result} stale={stale} />}
    </section>
  );
}
