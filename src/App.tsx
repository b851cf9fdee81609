/**
 * MicroNet Lab's page: a header with the lab's global state (dataset, network, recipe, score),
 * the backend badge and "Show first steps" (once the hint is dismissed), the step navigation, the
 * first-run hint, then one view per step — Data, Model (checkpoint import / export), Train &
 * evaluate, Compress (Score, Spectra, Pruning) and History. Every panel stays mounted (hidden
 * outside its view), so jobs, charts and edits carry on while another view is open. The open
 * view is `?view=` (Back / Forward follow it). On mount it starts the worker's backend (honouring
 * `?backend=`), reads the recipe from `?recipe=`, lists the model zoo, restores a cached dataset
 * and loads the run history.
 */
import { useEffect, type ReactNode } from 'react';
import { BackendBadge } from './components/BackendBadge';
import { NetworkStackBar } from './components/NetworkStackBar';
import { FirstRunHint } from './components/FirstRunHint';
import { FirstStepsButton } from './components/FirstStepsButton';
import { LabStatus } from './components/LabStatus';
import { RecoveryNotice } from './components/RecoveryNotice';
import { StepNav } from './components/StepNav';
import { WorkerLossNote } from './components/WorkerLossNote';
import { DataPanel } from './panels/DataPanel';
import { EvaluatePanel } from './panels/EvaluatePanel';
import { HistoryPanel } from './panels/HistoryPanel';
import { ModelPanel } from './panels/ModelPanel';
import { PruningPanel } from './panels/PruningPanel';
import { ScorePanel } from './panels/ScorePanel';
import { SpectraPanel } from './panels/SpectraPanel';
import { TrainPanel } from './panels/TrainPanel';
import { parseBackendParam } from './store/backend-slice';
import { useLabStore } from './store/lab-store';
import type { View } from './store/view-url';
import { NETWORK_CHANGED_EVENT } from './client/lab-client';

let started = false;

function startLab(): void {
  if (started) return;
  started = true;
  const { preference, note } = parseBackendParam(window.location.search);
  const s = useLabStore.getState();
  void s.initBackend(preference, note);
  s.loadRecipeFromUrl(window.location.search);
  s.viewFromUrl(window.location.search);
  void s.fetchModels();
  void s.restoreSession(); // cached dataset, saved network + recipe, an interrupted run
  void s.loadHistory();
  window.addEventListener(NETWORK_CHANGED_EVENT, () => void s.refreshNetwork()); // debug hooks
  window.addEventListener('popstate', () => s.viewFromUrl(window.location.search));
}

function ViewSection({ view, children }: { view: View; children: ReactNode }) {
  const open = useLabStore((s) => s.view === view);
  return (
    <div className={`view view-${view}`} data-testid={`view-${view}`} hidden={!open}>
      {children}
    </div>
  );
}

export function App() {
  useEffect(startLab, []);
  return (
    <div className="app">
      <header className="app-header">
        <div className="app-title">
          <h1>MicroNet Lab</h1>
          <p className="tagline">
            Load, train, compress and score CIFAR-100 networks in your browser
          </p>
        </div>
        <div className="header-status">
          <NetworkStackBar />
          <FirstStepsButton />
          <BackendBadge />
          <WorkerLossNote />
        </div>
        <LabStatus />
      </header>
      <StepNav />
      <RecoveryNotice />
      <FirstRunHint />
      <main className="app-main">
        <ViewSection view="data">
          <DataPanel />
        </ViewSection>
        <ViewSection view="model">
          <ModelPanel />
        </ViewSection>
        <ViewSection view="train">
          <TrainPanel />
          <EvaluatePanel />
        </ViewSection>
        <ViewSection view="compress">
          <ScorePanel />
          <SpectraPanel />
          <PruningPanel />
        </ViewSection>
        <ViewSection view="history">
          <HistoryPanel />
        </ViewSection>
      </main>
    </div>
  );
}
