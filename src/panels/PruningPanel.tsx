/**
 * Pruning panel: structured pruning of the current network. Method (channel groups, or the
 * eigenbasis of the Spectra panel's K-FAC analysis), one global ratio with a per-layer cap,
 * "Suggest" (the threshold's ratio for every row, then editable), the ratio table (coupled
 * layers of a channel group move together), the planned parameters and score before → after
 * (planned in the worker as edits settle, and again when the network, the recipe, the exit rate
 * or the analysis changes: the store asks, the panel only reads), "Prune" (one shot: the network really shrinks and
 * becomes the current one) and "Run schedule" (prune → fine-tune → grow back …, with progress,
 * a per-iteration curve, cancel and resume from the last finished iteration). The notice and the
 * curve are labelled stale once another network is current (pruned, trained, imported, undone).
 */
import { useId } from 'react';
import { NumberField } from '../components/NumberField';
import { JobInterrupted } from '../components/JobInterrupted';
import { ProgressBar } from '../components/ProgressBar';
import { PruneRatioTable } from '../components/PruneRatioTable';
import { PruneScheduleChart } from '../components/PruneScheduleChart';
import { StaleNote } from '../components/StaleNote';
import { formatCount, formatPercent } from '../format/format';
import { formatScore } from '../format/score-format';
import type { PruneMethod } from '../core/recipe/index';
import { useLabStore, type LabState } from '../store/lab-store';
import { pruneBlocker } from '../store/prune-slice';
import { staleReason, type StaleReason } from '../store/stale';

/** The notice and the schedule's curve describe an earlier network (none while a prune runs). */
function pruneStale(s: LabState): StaleReason {
  return s.jobs.prune ? null : staleReason(s, { networkKey: s.pruneNetworkKey });
}

function MethodControls() {
  const methodId = useId();
  const ratioId = useId();
  const spec = useLabStore((s) => s.pruneSpec);
  const analysed = useLabStore((s) => s.analysis !== null && !s.analysisStale);
  const a = useLabStore.getState();
  return (
    <div className="prune-controls">
      <div className="field">
        <label htmlFor={methodId}>Method</label>
        <select
          id={methodId}
          value={spec.method}
          onChange={(e) => a.setPruneMethod(e.currentTarget.value as PruneMethod)}
        >
          <option value="channels">channels (dependency groups)</option>
          <option value="eigenbasis">eigenbasis (K-FAC, Tucker-2)</option>
        </select>
      </div>
      <div className="slider">
        <label htmlFor={ratioId}>Global ratio (one threshold for all layers)</label>
        <input
          id={ratioId}
          type="range"
          min={0}
          max={0.95}
          step={0.01}
          value={spec.ratio}
          data-testid="prune-ratio"
          onChange={(e) => a.setPruneRatio(e.currentTarget.valueAsNumber)}
        />
        <output htmlFor={ratioId} className="slider-value">
          {formatPercent(spec.ratio, 0)}
        </output>
      </div>
      <NumberField
        label="Per-layer cap"
        unit="%"
        value={Math.round((spec.limit ?? 0.5) * 100)}
        min={0}
        max={100}
        step={5}
        onChange={(v) => a.setPruneLimit(v / 100)}
      />
      <div className="buttons">
        <button type="button" onClick={() => void a.suggestRatios()}>
          Suggest
        </button>
        <button type="button" onClick={a.clearRowRatios}>
          Clear per-layer ratios
        </button>
      </div>
      {spec.method === 'eigenbasis' && !analysed && (
        <p className="hint" data-testid="eigen-needs-analysis">
          The eigenbasis method needs a K-FAC analysis of the current network: press Analyse in the
          Spectra panel first.
        </p>
      )}
    </div>
  );
}

function Planned() {
  const plan = useLabStore((s) => s.plan);
  const state = useLabStore((s) => s.planState);
  const error = useLabStore((s) => s.planError);
  const busy = state === 'pending' || state === 'planning';
  const score = (v: number | null | undefined) => (v == null ? '—' : formatScore(v));
  return (
    <div className="prune-planned" data-testid="prune-planned" data-state={state}>
      <div className="stat">
        <span className="stat-label">parameters</span>{' '}
        <strong data-testid="planned-params">
          {plan ? `${formatCount(plan.paramsBefore)} → ${formatCount(plan.paramsAfter)}` : '—'}
        </strong>
        {plan && plan.paramsBefore > 0 && (
          <span className="hint">
            {' '}
            (−{formatPercent(1 - plan.paramsAfter / plan.paramsBefore, 1)})
          </span>
        )}
      </div>
      <div className="stat">
        <span className="stat-label">MicroNet score</span>{' '}
        <strong data-testid="planned-score">
          {plan ? `${score(plan.scoreBefore)} → ${score(plan.scoreAfter)}` : '—'}
        </strong>
      </div>
      <p className={error ? 'status status-error' : 'hint'} data-testid="plan-status">
        {error ?? (busy ? 'planning…' : (plan?.scoreError ?? ' '))}
      </p>
    </div>
  );
}

function PruneActions() {
  const blocker = useLabStore(pruneBlocker);
  const job = useLabStore((s) => s.jobs.prune);
  const notice = useLabStore((s) => s.pruneNotice);
  const error = useLabStore((s) => s.pruneError);
  const stale = useLabStore(pruneStale);
  const { pruneNow, cancelPruneJob } = useLabStore.getState();
  return (
    <div className="prune-actions">
      <button
        type="button"
        className="primary"
        disabled={blocker !== null}
        title={blocker ?? undefined}
        onClick={() => void pruneNow()}
      >
        Prune
      </button>
      <ProgressBar job={job} name="Pruning progress" onCancel={() => void cancelPruneJob()} />
      <JobInterrupted slot="prune" />
      {notice && (
        <p
          className={`notice${stale ? ' stale-result' : ''}`}
          data-testid="prune-notice"
          data-stale={stale !== null}
        >
          {notice}
        </p>
      )}
      {notice && (
        <StaleNote
          reason={stale}
          action="prune this one to see its before / after"
          testId="prune-stale"
        />
      )}
      {error && (
        <p className="status status-error" role="alert" data-testid="prune-error">
          {error}
        </p>
      )}
    </div>
  );
}

function Schedule() {
  const st = useLabStore((s) => s.scheduleSettings);
  const status = useLabStore((s) => s.scheduleStatus);
  const history = useLabStore((s) => s.scheduleHistory);
  const saved = useLabStore((s) => s.scheduleSaved);
  const blocker = useLabStore(pruneBlocker);
  const stale = useLabStore(pruneStale);
  const { setScheduleSettings: set, runSchedule } = useLabStore.getState();
  const running = status === 'running';
  return (
    <div className="prune-schedule">
      <h3>Gradual schedule</h3>
      <div className="schedule-controls">
        <NumberField
          label="Iterations"
          value={st.iterations}
          min={1}
          disabled={running}
          onChange={(v) => set({ iterations: v })}
        />
        <NumberField
          label="Fine-tune epochs"
          value={st.epochs}
          min={0}
          disabled={running}
          onChange={(v) => set({ epochs: v })}
        />
        <NumberField
          label="Grow-back"
          unit="%"
          value={Math.round(st.growBack * 100)}
          min={0}
          max={95}
          step={5}
          disabled={running}
          onChange={(v) => set({ growBack: v / 100 })}
        />
        <NumberField
          label="Stop below top-1"
          unit="%"
          value={st.targetAccuracy === null ? NaN : Math.round(st.targetAccuracy * 100)}
          min={0}
          max={100}
          disabled={running}
          onChange={(v) => set({ targetAccuracy: Number.isNaN(v) ? null : v / 100 })}
        />
        <NumberField
          label="Learning rate"
          value={st.learningRate}
          min={0}
          step={0.001}
          disabled={running}
          onChange={(v) => set({ learningRate: v })}
        />
        <div className="buttons">
          <button type="button" disabled={blocker !== null} onClick={() => void runSchedule(false)}>
            Run schedule
          </button>
          {saved && !running && (
            <button type="button" onClick={() => void runSchedule(true)}>
              Resume (from iteration {saved.iteration} of {saved.iterations})
            </button>
          )}
        </div>
      </div>
      <p className="hint" data-testid="schedule-status" data-status={status}>
        {status === 'idle' ? 'Prune → fine-tune → grow back, iteration by iteration.' : status}
      </p>
      {history.length > 0 && (
        <StaleNote
          reason={stale}
          action="run the schedule again for this one"
          testId="schedule-stale"
        />
      )}
      <div
        className={stale && history.length > 0 ? 'stale-result' : undefined}
        data-stale={stale !== null}
      >
        <PruneScheduleChart history={history} />
      </div>
    </div>
  );
}

export function PruningPanel() {
  const network = useLabStore((s) => s.network);
  const plan = useLabStore((s) => s.plan);
  const spec = useLabStore((s) => s.pruneSpec);
  const edited = useLabStore((s) => s.editedRow);
  const { setRowRatio } = useLabStore.getState();
  return (
    <section className="panel panel-pruning" aria-labelledby="pruning-heading">
      <h2 id="pruning-heading">Pruning</h2>
      <p className="hint">
        {network
          ? `Structured pruning of ${network.name} (${formatCount(network.params)} parameters): whole channels or eigen-directions are removed for real.`
          : 'No current network yet: import, train or evaluate one.'}
      </p>
      <MethodControls />
      <div className="prune-top">
        <Planned />
        <PruneActions />
      </div>
      <PruneRatioTable plan={plan} spec={spec} editedRow={edited} onRatio={setRowRatio} />
      <Schedule />
    </section>
  );
}
