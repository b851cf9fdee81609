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
import { BackendBadge } from './components/BackendBadge.tsx';
import { NetworkStackBar } from './components/NetworkStackBar.tsx';
import { FirstRunHint } from './components/FirstRunHint.tsx';
import { FirstStepsButton } from './components/FirstStepsButton.tsx';
import { LabStatus } from './components/LabStatus.tsx';
import { RecoveryNotice } from './components/RecoveryNotice.tsx';
import { StepNav } from './components/StepNav.tsx';
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
import type { View } from './store/view-url.ts';
import { NETWORK_CHANGED_EVENT } from './client/lab-client.ts';

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
