/**
 * The Score panel's sensitivity view: "Measure sensitivity" on the first N test images (each
 * layer alone at each candidate weight width and extra sparsity, the others as in the current
 * recipe), its progress with ETA and Cancel, the per-layer chart, and "Find a recipe".
 */
import { useId } from 'react';
import {
  sensitivityBlocker,
  sensitivityStaleReason,
  SENSITIVITY_IMAGES_DEFAULT,
} from '../store/sensitivity-slice';
import { useLabStore } from '../store/lab-store';
import { FindRecipe } from './FindRecipe';
import { NumberField } from './NumberField';
import { JobInterrupted } from './JobInterrupted';
import { ProgressBar } from './ProgressBar';
import { SensitivityChart } from './SensitivityChart';
import { StaleNote } from './StaleNote';
import { formatCount, formatPercent } from '../format/format';
import { candidateValues, mostSensitive } from './sensitivity-data';

function ReportLine() {
  const report = useLabStore((s) => s.sensitivity);
  const stale = useLabStore(sensitivityStaleReason);
  if (!report) return null;
  const trace = report.layers.some((l) => l.hessianTrace !== undefined);
  const narrowest = candidateValues(report, 'bits')[0];
  const worst = mostSensitive(report, 3)
    .map(
      (w) =>
        `${w.layer} (top-1 ${w.drop >= 0 ? '−' : '+'}${Math.abs(w.drop * 100).toFixed(1)} points)`,
    )
    .join(', ');
  return (
    <p className="hint" data-testid="sensitivity-summary" data-stale={stale !== null}>
      {report.layers.length} layers on {formatCount(report.n)} test images in{' '}
      {report.seconds.toFixed(1)} s; base top-1 {formatPercent(report.base.top1)}, loss{' '}
      {report.base.loss.toFixed(3)}
      {trace ? '; dashed: second-order estimate from each layer’s Hessian trace' : ''}
      {narrowest !== undefined && worst ? `. Most sensitive at ${narrowest} bits: ${worst}` : ''}
      {stale === 'network' ? ' · measured on an earlier network' : ''}
      {stale === 'recipe' ? ' · measured with an earlier recipe' : ''}
    </p>
  );
}

export function SensitivityView() {
  const headingId = useId();
  const images = useLabStore((s) => s.sensitivityImages);
  const job = useLabStore((s) => s.jobs.sensitivity);
  const report = useLabStore((s) => s.sensitivity);
  const error = useLabStore((s) => s.sensitivityError);
  const notice = useLabStore((s) => s.sensitivityNotice);
  const blocker = useLabStore(sensitivityBlocker);
  const stale = useLabStore(sensitivityStaleReason);
  const { setSensitivityImages, measureSensitivity, cancelSensitivity } = useLabStore.getState();
  return (
    <div className="sensitivity" role="group" aria-labelledby={headingId} data-testid="sensitivity">
      <h3 id={headingId}>Sensitivity per layer</h3>
      <p className="hint">
        Each layer alone at each candidate weight width and extra sparsity (every other layer as in
        the current recipe, with float weights), measured on the first test images.
      </p>
      <div className="sensitivity-controls">
        <NumberField
          label="Images"
          value={images}
          min={1}
          step={1}
          onChange={(v) => setSensitivityImages(Number.isNaN(v) ? SENSITIVITY_IMAGES_DEFAULT : v)}
          testId="sensitivity-images"
        />
        <button
          type="button"
          onClick={() => void measureSensitivity()}
          disabled={!!blocker || !!job}
        >
          Measure sensitivity
        </button>
        {blocker && !job && <span className="hint">{blocker}</span>}
      </div>
      {error && (
        <p className="status status-error" role="alert" data-testid="sensitivity-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="status" role="status">
          {notice}
        </p>
      )}
      <ProgressBar
        job={job}
        name="Sensitivity progress"
        onCancel={() => void cancelSensitivity()}
      />
      <JobInterrupted slot="sensitivity" />
      <ReportLine />
      <StaleNote reason={stale} action="measure the sensitivity again" testId="sensitivity-stale" />
      {report && (
        <div className={stale ? 'stale-result' : undefined}>
          <SensitivityChart report={report} />
        </div>
      )}
      <FindRecipe />
    </div>
  );
}
