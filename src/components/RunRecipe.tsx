/**
 * "Run recipe" (Score panel): the current recipe end to end on the current network — gradual
 * pruning with fine-tuning as recipe.fineTune says, compression, evaluation of the first N test
 * images with early exit, score — with its stage, step, ETA and Cancel; the result (top-1, top-1
 * with early exit, exit rate, score, whether it qualifies) and the .mnlc download. A cancelled or
 * interrupted run is kept: Resume continues it from its last checkpoint, Discard forgets it.
 */
import { useEffect, useId } from 'react';
import { recipeRunBlocker, savedRunText } from '../store/recipe-run-logic';
import type { RecipeRunView } from '../store/recipe-run-slice';
import { useLabStore } from '../store/lab-store';
import { formatBytes, formatCount, formatDuration, formatPercent } from '../format/format';
import { CountField } from './CountField';
import { JobInterrupted } from './JobInterrupted';
import { ProgressBar } from './ProgressBar';
import { StaleNote } from './StaleNote';
import { staleReason } from '../store/stale';
import { formatScore } from '../format/score-format';

function Result({ r }: { r: RecipeRunView }) {
  const q = r.qualification;
  const stale = useLabStore((s) => staleReason(s, r));
  return (
    <>
      <StaleNote reason={stale} action="its figures are of that pair" testId="recipe-run-stale" />
      <div
        data-testid="recipe-run-result"
        data-qualifies={q.qualifies}
        data-status={q.status}
        data-stale={stale !== null}
        className={stale ? 'stale-result' : undefined}
      >
        <p>
          top-1 <strong data-testid="recipe-run-top1">{formatPercent(r.top1)}</strong>
          {r.hasExit && (
            <>
              {' '}
              · with early exit{' '}
              <strong data-testid="recipe-run-top1-exit">
                {formatPercent(r.top1EarlyExit)}
              </strong>{' '}
              at threshold {r.exitThreshold}
              {r.exitBlend > 0 ? ` (exit head blended in at ${r.exitBlend})` : ''}, exit rate{' '}
              <span data-testid="recipe-run-exit-rate">{formatPercent(r.exitRate)}</span>
            </>
          )}{' '}
          on {formatCount(r.n)} of {formatCount(r.testSize)} test images · score{' '}
          <strong data-testid="recipe-run-score">{formatScore(r.score)}</strong> (
          {r.paramsM.toFixed(4)} M params, {r.opsM.toFixed(2)} M ops) · {formatDuration(r.seconds)}
          {r.resumedFrom ? ' (resumed)' : ''}
        </p>
        <p
          className={q.qualifies ? 'status' : 'status status-warning'}
          data-testid="recipe-run-qualifies"
        >
          {q.text}
        </p>
        <a href={r.download.url} download={r.download.fileName} data-testid="recipe-run-download">
          {r.download.fileName}
        </a>{' '}
        <span className="hint">compressed checkpoint, {formatBytes(r.download.bytes)}</span>
      </div>
    </>
  );
}

export function RunRecipe() {
  const headingId = useId();
  const images = useLabStore((s) => s.recipeRunImages);
  const trainImages = useLabStore((s) => s.recipeRunTrainImages);
  const testCount = useLabStore((s) => s.summary?.test?.count ?? null);
  const trainCount = useLabStore((s) => s.summary?.train?.count ?? null);
  const job = useLabStore((s) => s.jobs.recipe);
  const progress = useLabStore((s) => s.recipeRunProgress);
  const result = useLabStore((s) => s.recipeRunResult);
  const error = useLabStore((s) => s.recipeRunError);
  const notice = useLabStore((s) => s.recipeRunNotice);
  const saved = useLabStore((s) => s.recipeRunSaved);
  const blocker = useLabStore(recipeRunBlocker);
  const a = useLabStore.getState();
  useEffect(() => void useLabStore.getState().refreshSavedRecipeRun(), []);
  const running = job !== null;
  return (
    <div className="run-recipe" role="group" aria-labelledby={headingId} data-testid="run-recipe">
      <h3 id={headingId}>Run recipe</h3>
      <p className="hint">
        Prunes gradually and fine-tunes as the recipe's fineTune says (quantizers in the loop, the
        uncompressed network as teacher), compresses, evaluates with early exit and scores. The
        result becomes the current network and a History entry.
      </p>
      <div className="run-recipe-controls">
        <CountField
          label="Test images"
          value={images}
          all={testCount}
          onChange={a.setRecipeRunImages}
          testId="recipe-run-images"
        />
        <CountField
          label="Training images"
          value={trainImages}
          all={trainCount}
          onChange={a.setRecipeRunTrainImages}
          testId="recipe-run-train-images"
        />
        <button type="button" onClick={() => void a.runRecipe()} disabled={!!blocker || running}>
          Run recipe
        </button>
        {saved && !running && (
          <>
            <button type="button" onClick={() => void a.resumeRecipeRun()} disabled={!!blocker}>
              Resume
            </button>
            <button type="button" onClick={() => void a.discardRecipeRun()}>
              Discard
            </button>
          </>
        )}
        {blocker && !running && <span className="hint">{blocker}</span>}
      </div>
      {saved && !running && (
        <p className="hint" data-testid="recipe-run-saved">
          Kept run: {savedRunText(saved)}.
        </p>
      )}
      {running && (
        <div
          data-testid="recipe-run-progress"
          data-stage={progress?.stage ?? ''}
          data-step={progress?.step ?? 0}
          data-done={progress?.done ?? 0}
        >
          <ProgressBar job={job} onCancel={() => void a.cancelRecipeRun()} name="Recipe run" />
        </div>
      )}
      <JobInterrupted slot="recipe" />
      {error && (
        <p className="status status-error" role="alert" data-testid="recipe-run-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="status" role="status" data-testid="recipe-run-notice">
          {notice}
        </p>
      )}
      {result && <Result r={result} />}
    </div>
  );
}
