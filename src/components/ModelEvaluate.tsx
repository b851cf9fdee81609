/**
 * The Model panel's "Evaluate on the test split": the button, progress or last-run status, and
 * the current network's top-1 / top-5 (and, with an early-exit head, top-1 with early exit and
 * the exit rate), marked stale when the network changed since.
 */
import { formatCount, formatPercent } from '../format/format';
import { useLabStore } from '../store/lab-store';
import { staleReason } from '../store/stale';
import type { EvalResult } from '../worker/lab-types';
import { ProgressBar } from './ProgressBar';
import { StaleNote } from './StaleNote';
import { StatRows, type StatRow } from './StatList';

/** The evaluation's figures ('—' before the first run). */
function evalRows(result: EvalResult | null): StatRow[] {
  const exit = result?.earlyExit ?? null;
  const main = (v: number) => (result ? formatPercent(v) : '—');
  return [
    { label: 'top-1 (main)', value: main(result?.top1 ?? 0), testId: 'model-top1' },
    { label: 'top-5 (main)', value: main(result?.top5 ?? 0), testId: 'model-top5' },
    {
      label: 'top-1 (early exit)',
      value: exit ? formatPercent(exit.top1) : result ? 'no exit head' : '—',
      testId: 'model-top1-exit',
    },
    {
      label: 'exit rate',
      value: exit ? formatPercent(exit.exitRate, 1) : result ? 'n/a' : '—',
      testId: 'model-exit-rate',
    },
  ];
}

export function EvaluateCurrent({ locked }: { locked: boolean }) {
  const network = useLabStore((s) => s.network);
  const testCount = useLabStore((s) => s.summary?.test?.count ?? null);
  const job = useLabStore((s) => s.jobs.evaluate);
  const result = useLabStore((s) => s.evalResult);
  const error = useLabStore((s) => s.evalError);
  const runs = useLabStore((s) => s.evalRuns);
  const stale = useLabStore((s) => staleReason(s, { networkKey: s.evalResult?.networkKey }));
  const { startEvaluation, cancelEvaluation } = useLabStore.getState();
  const exit = result?.earlyExit ?? null;
  const canRun = network !== null && testCount !== null && job === null && !locked;
  return (
    <div className="model-eval">
      <div className="model-eval-head">
        <button
          type="button"
          className="primary"
          onClick={() => void startEvaluation()}
          disabled={!canRun}
        >
          Evaluate on the test split
        </button>
        <span className="hint">
          {testCount === null
            ? 'Load a test split (Data panel) to evaluate.'
            : `${formatCount(testCount)} test images`}
        </span>
      </div>
      {job ? (
        <ProgressBar
          job={job}
          name="Evaluation progress"
          onCancel={() => void cancelEvaluation()}
        />
      ) : (
        <div className="progress-slot">
          <p
            className={error ? 'status status-error' : 'status'}
            role={error ? 'alert' : undefined}
            data-testid="model-eval-status"
          >
            {error ??
              (result
                ? `Last run: ${formatCount(result.n)} images, ${result.model}` +
                  (exit
                    ? `; an image exits when the exit head's max softmax > ${exit.threshold}`
                    : '') +
                  (result.untrained ? ' (untrained)' : '') +
                  '.'
                : 'Not evaluated yet.')}
          </p>
        </div>
      )}
      <dl
        className={`results model-results${stale ? ' stale' : ''}`}
        data-testid="model-results"
        data-runs={runs}
        data-stale={stale !== null}
      >
        <StatRows rows={evalRows(result)} />
      </dl>
      <StaleNote reason={stale} action="evaluate again" testId="model-eval-stale" />
    </div>
  );
}
