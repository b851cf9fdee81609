/**
 * The Score panel's accuracy block: the slice and full-test-set top-1 of the current (network,
 * recipe) pair — its record (store/measure-records.ts), whichever panel measured it; else the
 * last measurement, marked stale —, the measurement's state, "Measure now" / "Measure full test
 * set", the exit rate the measurement saw, and the measurement's progress with Cancel.
 */
import { AccuracyBadge } from './AccuracyBadge';
import { JobInterrupted } from './JobInterrupted';
import { ProgressBar } from './ProgressBar';
import { formatCount, formatPercent } from '../format/format';
import type { AccuracyFigure } from '../store/measure-records';
import { recipeJson } from '../core/recipe/index';
import { measureBlocker, type Measurement } from '../store/score-slice';
import { useLabStore } from '../store/lab-store';
import { useCurrentRecord } from './ScoreEligibility';

const SOURCE_TEXT: Record<AccuracyFigure['source'], string> = {
  evaluate: 'Evaluate panel',
  score: 'measured here',
  'recipe-run': 'recipe run',
  prune: 'Pruning panel',
};

function figureDetail(f: AccuracyFigure): string {
  const exit =
    f.exitRate !== null
      ? ` · main head ${formatPercent(f.top1Main)}, exit rate ${formatPercent(f.exitRate, 1)}`
      : '';
  return `${formatCount(f.n)} test images${exit} · ${SOURCE_TEXT[f.source]}`;
}

interface Shown {
  top1: number | null;
  detail: string | undefined;
  stale: boolean;
}

/** The pair's figure, else the last measurement (stale when it was of another recipe). */
function shown(f: AccuracyFigure | null | undefined, m: Measurement | null, key: string): Shown {
  if (f) return { top1: f.top1, detail: figureDetail(f), stale: false };
  const stale = m !== null && m.recipeKey !== key;
  const top1 = m ? (m.top1EarlyExit ?? m.top1) : null;
  return { top1, detail: measurementDetail(m, stale), stale };
}

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
  const record = useCurrentRecord();
  const staleQuick = quick !== null && quick.recipeKey !== key;
  const slice = shown(record?.slice, quick, key);
  const whole = shown(record?.full, full, key);
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
        label="slice top-1 (estimate)"
        top1={slice.top1}
        detail={slice.detail}
        stale={slice.stale}
        testId="validation-top1"
      />
      <AccuracyBadge
        label="full test set top-1"
        top1={whole.top1}
        detail={whole.detail}
        stale={whole.stale}
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
