/**
 * The Score panel's accuracy block: the validation-slice and full-test-set top-1 of the current
 * recipe (stale figures marked), the measurement's state, "Measure now" / "Measure full test
 * set", the exit rate the measurement saw, and the measurement's progress with Cancel.
 */
import { AccuracyBadge } from './AccuracyBadge.tsx';
import { JobInterrupted } from './JobInterrupted.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { formatCount, formatPercent } from './format.ts';
import { recipeJson } from '../store/recipe-url.ts';
import { measureBlocker, type Measurement } from '../store/score-slice.ts';
import { useLabStore } from '../store/lab-store.ts';

function measurementDetail(m: Measurement | null, stale: boolean): string | undefined {
  if (!m) return undefined;
  const exit =
    m.top1EarlyExit !== null && m.exitRate !== null
      ? ` · main head ${formatPercent(m.top1)}, exit rate ${formatPercent(m.exitRate, 1)}`
      : '';
  return `${formatCount(m.n)} test images${exit}${stale ? ' · for an earlier recipe' : ''}`;
}

function statusText(state: string, blocker: string | null, error: string | null): string {
  if (state === 'error') return error ?? 'Measurement failed.';
  if (state === 'pending') return 'Edit settling: accuracy will be re-measured…';
  if (state === 'measuring') return 'measuring…';
  if (blocker) return blocker;
  return state === 'done' ? 'Measured with the recipe applied to a copy of the network.' : '';
}

export function ScoreAccuracy() {
  const state = useLabStore((s) => s.measureState);
  const job = useLabStore((s) => s.measureJob);
  const kind = useLabStore((s) => s.measureKind);
  const error = useLabStore((s) => s.measureError);
  const blocker = useLabStore(measureBlocker);
  const key = useLabStore((s) => recipeJson(s.recipe));
  const quick = useLabStore((s) => s.measurement);
  const full = useLabStore((s) => s.fullMeasurement);
  const { measureNow, cancelMeasurement, setExitRateOverride } = useLabStore.getState();
  const staleQuick = quick !== null && quick.recipeKey !== key;
  const staleFull = full !== null && full.recipeKey !== key;
  const top1 = (m: Measurement | null) => (m ? (m.top1EarlyExit ?? m.top1) : null);
  return (
    <div className="score-accuracy" data-testid="score-accuracy" data-state={state}>
      <h3>Accuracy with this recipe</h3>
      <p
        className={state === 'error' ? 'status status-error' : 'status'}
        role={state === 'error' ? 'alert' : 'status'}
        data-testid="measure-status"
      >
        {statusText(state, blocker, error)}
      </p>
      <AccuracyBadge
        label="validation slice top-1"
        top1={top1(quick)}
        detail={measurementDetail(quick, staleQuick)}
        stale={staleQuick}
        testId="validation-top1"
      />
      <AccuracyBadge
        label="full test set top-1"
        top1={top1(full)}
        detail={measurementDetail(full, staleFull)}
        stale={staleFull}
        testId="full-top1"
      />
      <div className="buttons">
        <button type="button" onClick={() => void measureNow('validation')} disabled={!!blocker}>
          Measure now
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void measureNow('full')}
          disabled={!!blocker || kind === 'full'}
        >
          Measure full test set
        </button>
        {quick?.exitRate != null && !staleQuick && (
          <button type="button" onClick={() => setExitRateOverride(quick.exitRate)}>
            Count with this exit rate
          </button>
        )}
      </div>
      <ProgressBar
        job={job}
        name="Measurement progress"
        onCancel={() => void cancelMeasurement()}
      />
      <JobInterrupted slot="measure" />
    </div>
  );
}
