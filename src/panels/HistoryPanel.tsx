/**
 * History panel: every run that changed the network (train, import, prune, schedule) and every
 * measured (network, recipe) pair, newest first, kept in the browser (IndexedDB) across reloads.
 * Each row's top-1 is its pair's record (store/measure-records.ts) with its eligibility. The
 * scatter plots top-1 against the score with the 80 % line, the reference scores and the Pareto
 * front; ticking two runs compares them side by side; Restore brings back a run's network (its
 * saved checkpoint, through the Model panel's import) and its recipe (Score panel); Delete and
 * Clear all free the space. Storage errors (a full quota) are shown here, never swallowed.
 */
import { useMemo } from 'react';
import { formatCount, formatDuration, formatPercent } from '../format/format';
import { HistoryCompare } from '../components/HistoryCompare';
import { HistoryScatter } from '../components/HistoryScatter';
import { EligibilityTag } from '../components/EligibilityTag';
import { formatScore } from '../format/score-format';
import { eligibilityOf } from '../store/eligibility';
import { runFigures } from '../store/history-pairs';
import type { HistoryRun } from '../store/history-slice';
import { useLabStore, type LabState } from '../store/lab-store';

const SELECTED_STYLE = { background: '#eaf1fb' } as const;

/** True while a job holds the network or a restore is under way. */
const busy = (s: LabState) =>
  s.restoringRunId !== null ||
  !!(s.jobs.model || s.jobs.train || s.jobs.evaluate || s.jobs.prune || s.jobs.analyse);

function Messages() {
  const error = useLabStore((s) => s.historyError);
  const notice = useLabStore((s) => s.historyNotice);
  const unsaved = useLabStore((s) => s.runs.filter((r) => !r.saved).length);
  const { dismissHistoryMessage, saveUnsaved } = useLabStore.getState();
  return (
    <>
      {error && (
        <div className="error" role="alert" data-testid="history-error">
          <span>{error}</span>
          <span className="buttons">
            {unsaved > 0 && (
              <button type="button" className="small" onClick={() => void saveUnsaved()}>
                Save again ({unsaved})
              </button>
            )}
            <button type="button" className="small" onClick={dismissHistoryMessage}>
              Dismiss
            </button>
          </span>
        </div>
      )}
      {notice && (
        <p className="notice" data-testid="history-notice">
          {notice}
        </p>
      )}
    </>
  );
}

function RunRow({
  run,
  picked,
  selected,
}: {
  run: HistoryRun;
  picked: boolean;
  selected: boolean;
}) {
  const isBusy = useLabStore(busy);
  const records = useLabStore((s) => s.records);
  const e = eligibilityOf(runFigures(run, records));
  const { toggleCompare, selectRun, restoreRun, deleteRun } = useLabStore.getState();
  const note = [run.checkpointNote, run.saved ? null : 'not saved: this session only']
    .filter(Boolean)
    .join(' · ');
  return (
    <tr
      data-testid="history-row"
      data-run-id={run.id}
      data-kind={run.kind}
      data-saved={run.saved}
      aria-selected={selected}
      style={selected ? SELECTED_STYLE : undefined}
      onClick={() => selectRun(run.id)}
    >
      <td>
        <input
          type="checkbox"
          checked={picked}
          aria-label={`Compare ${run.label}`}
          onChange={() => toggleCompare(run.id)}
        />
      </td>
      <td>{run.kind}</td>
      <td style={{ whiteSpace: 'normal' }}>
        {run.label}
        {note && <div className="hint">{note}</div>}
      </td>
      <td title={`took ${formatDuration(run.seconds)}`}>{new Date(run.time).toLocaleString()}</td>
      <td>{run.model}</td>
      <td className="num">{formatCount(run.params)}</td>
      <td className="num" data-testid="run-score">
        {run.score ? formatScore(run.score.score) : '—'}
      </td>
      <td className="num" data-testid="run-top1">
        {e.top1 === null ? '—' : formatPercent(e.top1)}
      </td>
      <td>
        <EligibilityTag e={e} testId="run-eligibility" />
      </td>
      <td>
        <span className="buttons" style={{ flexWrap: 'nowrap' }}>
          <button
            type="button"
            className="small"
            disabled={isBusy}
            title={run.checkpointId ? 'Network and recipe' : 'Recipe only (no saved network)'}
            onClick={() => void restoreRun(run.id)}
          >
            Restore
          </button>
          <button type="button" className="small" onClick={() => void deleteRun(run.id)}>
            Delete
          </button>
        </span>
      </td>
    </tr>
  );
}

function RunTable({ runs }: { runs: HistoryRun[] }) {
  const compareIds = useLabStore((s) => s.compareIds);
  const selectedId = useLabStore((s) => s.selectedRunId);
  if (runs.length === 0) {
    return (
      <p className="idle-hint" data-testid="history-empty">
        No runs yet: train, import or prune a network, or measure a recipe in the Score panel.
      </p>
    );
  }
  return (
    <div className="tensor-table" style={{ height: 'auto', maxHeight: '22rem' }}>
      <table data-testid="history-table" data-rows={runs.length}>
        <thead>
          <tr>
            <th scope="col">compare</th>
            <th scope="col">kind</th>
            <th scope="col">run</th>
            <th scope="col">time</th>
            <th scope="col">network</th>
            <th scope="col" className="num">
              parameters
            </th>
            <th scope="col" className="num">
              score
            </th>
            <th scope="col" className="num">
              top-1
            </th>
            <th scope="col">challenge</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <RunRow
              key={r.id}
              run={r}
              picked={compareIds.includes(r.id)}
              selected={selectedId === r.id}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Compare({ runs }: { runs: HistoryRun[] }) {
  const ids = useLabStore((s) => s.compareIds);
  const a = runs.find((r) => r.id === ids[0]);
  const b = runs.find((r) => r.id === ids[1]);
  return (
    <div className="history-compare-slot">
      <h3>Compare</h3>
      {a && b ? (
        <HistoryCompare a={a} b={b} />
      ) : (
        <p className="hint">Tick two runs to compare them side by side.</p>
      )}
    </div>
  );
}

export function HistoryPanel() {
  const runs = useLabStore((s) => s.runs);
  const records = useLabStore((s) => s.records);
  const loaded = useLabStore((s) => s.historyLoaded);
  const compareIds = useLabStore((s) => s.compareIds);
  const selectedId = useLabStore((s) => s.selectedRunId);
  const { selectRun, clearHistory } = useLabStore.getState();
  const highlighted = useMemo(
    () => new Set(selectedId ? [...compareIds, selectedId] : compareIds),
    [compareIds, selectedId],
  );
  const clearAll = () => {
    if (window.confirm('Delete every run and every saved network from the history?')) {
      void clearHistory();
    }
  };
  return (
    <section
      className="panel panel-history"
      aria-labelledby="history-heading"
      style={{ gridColumn: '1 / -1' }}
      data-loaded={loaded}
    >
      <h2 id="history-heading">History</h2>
      <p className="hint">
        Runs and measured recipes, kept in this browser; one row per measured (network, recipe)
        pair, whichever panel measured it. A score qualifies only with ≥ 80.00 % on all 10,000 test
        images; a slice gives an estimate. Restore brings back the network (when saved) and the
        recipe.
      </p>
      <Messages />
      <HistoryScatter runs={runs} records={records} selected={highlighted} onSelect={selectRun} />
      <RunTable runs={runs} />
      <div className="buttons">
        <button type="button" disabled={runs.length === 0} onClick={clearAll}>
          Clear all
        </button>
      </div>
      <Compare runs={runs} />
    </section>
  );
}
