/**
 * Train panel: pick a network from the zoo, set epochs / batch size / learning rate /
 * augmentation, Start / Pause / Resume / Cancel, and watch loss and accuracy per step. It says
 * what the run's end does to the current network (store/train-replace.ts) — and asks first when
 * Undo could not bring that network back.
 */
import { useId } from 'react';
import { CountField } from '../components/CountField';
import { NumberField } from '../components/NumberField';
import { MetricsChart } from '../components/MetricsChart';
import { JobInterrupted } from '../components/JobInterrupted';
import { ProgressBar } from '../components/ProgressBar';
import { formatCount, formatDuration, formatPercent } from '../format/format';
import { useLabStore, type LabState } from '../store/lab-store';
import { staleReason } from '../store/stale';
import { trainEndNote, trainReplaceNote } from '../store/train-replace';
import { StaleNote } from '../components/StaleNote';
import type { AugmentConfig } from '../worker/lab-types';

function statusText(s: LabState): string {
  const last = s.metrics[s.metrics.length - 1];
  const progress = s.jobs.train?.progress;
  const lastText = last
    ? `step ${last.step}${progress?.total ? ` of ${progress.total}` : ''} · epoch ${last.epoch} · ` +
      `loss ${last.loss.toFixed(3)} · batch accuracy ${formatPercent(last.accuracy, 1)}`
    : '';
  switch (s.trainStatus) {
    case 'idle':
      return s.summary?.train ? 'Ready to train.' : 'Load a train split to start training.';
    case 'running':
      return last ? `Training: ${lastText}` : 'Preparing the network…';
    case 'paused':
      return `Paused at ${lastText || 'the start'}.`;
    case 'cancelled':
      return `Cancelled after ${s.trainSummary?.steps ?? 0} steps. ${endNote(s)}`;
    case 'done': {
      const t = s.trainSummary;
      if (t?.timeBudgetReached)
        return `Stopped at the time budget after ${formatCount(t.steps)} steps (${formatDuration(t.seconds)}): ${lastText}. ${endNote(s)}`;
      return t
        ? `Finished ${formatCount(t.steps)} steps in ${formatDuration(t.seconds)}: ${lastText}. ${endNote(s)}`
        : 'Finished.';
    }
    case 'error':
      return s.trainError ?? 'Training failed.';
  }
}

/** What the run's end did to the network that was current at its start. */
function endNote(s: LabState): string {
  const model = s.trainedModel ?? s.modelName;
  return trainEndNote(s.trainSummary?.steps ?? 0, model, s.trainReplaced, s.trainReplacedKept);
}

/** Before a run: what its end will do; when Undo could not help, the confirmation. */
function ReplaceNote({ locked }: { locked: boolean }) {
  const network = useLabStore((s) => s.network);
  const stack = useLabStore((s) => s.networkStack);
  const model = useLabStore((s) => s.modelName);
  const confirm = useLabStore((s) => s.trainConfirm);
  const { confirmTraining, dismissTrainConfirm } = useLabStore.getState();
  const note = trainReplaceNote(network, stack, model);
  if (confirm)
    return (
      <div
        className="train-confirm"
        role="alertdialog"
        aria-label="Replace the current network?"
        data-testid="train-confirm"
      >
        <p className="status status-warning">{note}</p>
        <div className="buttons">
          <button
            type="button"
            className="primary"
            disabled={locked}
            onClick={() => void confirmTraining()}
          >
            Train anyway
          </button>
          <button type="button" onClick={dismissTrainConfirm}>
            Keep the current network
          </button>
        </div>
      </div>
    );
  if (!note || locked) return null;
  return (
    <p className="hint" data-testid="train-replace-note">
      {note}
    </p>
  );
}

const AUGMENTS: { key: keyof AugmentConfig; label: string }[] = [
  { key: 'cropFlip', label: 'Random crop + flip' },
  { key: 'cutout', label: 'Cutout' },
  { key: 'autoAugment', label: 'AutoAugment' },
];

export function TrainPanel() {
  const s = useLabStore();
  const selectId = useId();
  const busy = s.jobs.train !== null;
  const locked = busy || s.jobs.load !== null || s.jobs.evaluate !== null || s.jobs.model !== null;
  const canStart = !locked && s.summary?.train != null && s.backendStatus === 'ready';
  const set = s.setTrainSettings;
  const cfg = s.trainSettings;
  const model = s.models.find((m) => m.name === s.modelName);
  const stale =
    busy || s.metrics.length === 0 ? null : staleReason(s, { networkKey: s.trainNetworkKey });

  return (
    <section className="panel panel-train" aria-labelledby="train-heading">
      <h2 id="train-heading">Train</h2>
      <form className="train-form" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-wide">
          <label htmlFor={selectId}>Network</label>
          <select
            id={selectId}
            value={s.modelName}
            disabled={locked}
            onChange={(e) => s.setModelName(e.currentTarget.value)}
          >
            {s.models.length === 0 && <option value={s.modelName}>{s.modelName}</option>}
            {s.models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
          <span className="hint" data-testid="model-params">
            {model ? `${formatCount(model.params)} parameters` : (s.modelError ?? '\u00a0')}
          </span>
        </div>
        <NumberField
          label="Epochs"
          value={cfg.epochs}
          min={1}
          step={1}
          disabled={locked}
          onChange={(v) => set({ epochs: v })}
        />
        <NumberField
          label="Batch size"
          value={cfg.batchSize}
          min={1}
          step={1}
          disabled={locked}
          onChange={(v) => set({ batchSize: v })}
        />
        <NumberField
          label="Learning rate"
          value={cfg.learningRate}
          min={0}
          step="any"
          disabled={locked}
          onChange={(v) => set({ learningRate: v })}
        />
        <CountField
          label="Training images"
          value={cfg.limit ?? null}
          all={s.summary?.train?.count ?? null}
          onChange={(v) => set({ limit: v })}
          disabled={locked}
          testId="train-limit"
        />
        <CountField
          label="Time budget (s)"
          value={cfg.maxSeconds ?? null}
          all={null}
          placeholder="none"
          onChange={(v) => set({ maxSeconds: v })}
          disabled={locked}
          testId="train-time-budget"
        />
        <fieldset className="augment" disabled={locked}>
          <legend>Augmentation</legend>
          {AUGMENTS.map(({ key, label }) => (
            <label key={key} className="check">
              <input
                type="checkbox"
                checked={cfg.augment[key]}
                onChange={(e) =>
                  set({ augment: { ...cfg.augment, [key]: e.currentTarget.checked } })
                }
              />
              {label}
            </label>
          ))}
        </fieldset>
        <p className="hint field-wide">
          SGD with Nesterov momentum 0.9, weight decay 5·10⁻⁴ (not on BN / biases), cosine
          learning-rate decay over the run; seed {cfg.seed}. Training images: the first N (empty:
          all); time budget: stop after that many seconds.
        </p>
      </form>
      <div className="buttons">
        <button
          type="button"
          className="primary"
          onClick={() => void s.startTraining()}
          disabled={!canStart}
        >
          Start training
        </button>
        {s.trainStatus === 'paused' ? (
          <button type="button" onClick={() => void s.resumeTraining()} disabled={!busy}>
            Resume
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void s.pauseTraining()}
            disabled={!busy || s.trainStatus !== 'running'}
          >
            Pause
          </button>
        )}
        <button type="button" onClick={() => void s.cancelTraining()} disabled={!busy}>
          Cancel
        </button>
      </div>
      <ReplaceNote locked={locked} />
      <p
        className={`status${s.trainStatus === 'error' ? ' status-error' : ''}`}
        role={s.trainStatus === 'error' ? 'alert' : 'status'}
        data-testid="train-status"
        data-status={s.trainStatus}
      >
        {statusText(s)}
      </p>
      <ProgressBar job={s.jobs.train} name="Training progress" />
      <JobInterrupted slot="train" />
      <StaleNote reason={stale} action="these curves are of that run" testId="train-stale" />
      <div
        className={stale ? 'stale-result' : undefined}
        data-testid="train-metrics"
        data-stale={stale !== null}
      >
        <MetricsChart points={s.metrics} />
      </div>
    </section>
  );
}
