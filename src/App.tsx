/**
 * MicroNet Lab's page: header with the backend badge (and, after a worker loss, what happened),
 * then the Data, Model (checkpoint import / export), Train, Evaluate, Score, Spectra, Pruning and
 * History panels.
 * On mount it starts the worker's backend (honouring `?backend=`), reads the recipe from
 * `?recipe=`, lists the model zoo, restores a cached dataset and loads the run history.
 */
import { useEffect } from 'react';
import { BackendBadge } from './components/BackendBadge.tsx';
import { RecoveryNotice } from './components/RecoveryNotice.tsx';
import { WorkerLossNote } from './components/WorkerLossNote.tsx';
import { DataPanel } from './panels/DataPanel.tsx';
import { EvaluatePanel } from './panels/EvaluatePanel.tsx';
import { HistoryPanel } from './panels/HistoryPanel.tsx';
import { ModelPanel } from './panels/ModelPanel.tsx';
import { PruningPanel } from './panels/PruningPanel.tsx';
import { ScorePanel } from './panels/ScorePanel.tsx';
import { SpectraPanel } from './panels/SpectraPanel.tsx';
import { TrainPanel } from './panels/TrainPanel.tsx';
import { parseBackendParam } from './store/backend-slice.ts';
import { useLabStore } from './store/lab-store.ts';
import { NETWORK_CHANGED_EVENT } from './worker/lab-client.ts';

let started = false;

function startLab(): void {
  if (started) return;
  started = true;
  const { preference, note } = parseBackendParam(window.location.search);
  const s = useLabStore.getState();
  void s.initBackend(preference, note);
  s.loadRecipeFromUrl(window.location.search);
  void s.fetchModels();
  void s.restoreSession(); // cached dataset, saved network + recipe, an interrupted run
  void s.loadHistory();
  window.addEventListener(NETWORK_CHANGED_EVENT, () => void s.refreshNetwork()); // debug hooks
}

export function App() {
  useEffect(startLab, []);
  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>MicroNet Lab</h1>
          <p className="tagline">Train and evaluate CIFAR-100 networks in your browser</p>
        </div>
        <div className="header-status">
          <BackendBadge />
          <WorkerLossNote />
        </div>
      </header>
      <RecoveryNotice />
      <main className="app-main">
        <DataPanel />
        <ModelPanel />
        <TrainPanel />
        <EvaluatePanel />
        <ScorePanel />
        <SpectraPanel />
        <PruningPanel />
        <HistoryPanel />
      </main>
    </div>
  );
}
