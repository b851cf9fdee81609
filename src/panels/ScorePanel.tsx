/**
 * Score panel: the live MicroNet score of the current network under the recipe being edited —
 * global sparsity slider, weight / activation bits, counting profile, BN folding, freebie, and
 * per-layer overrides in the layer table. The score follows every edit in the same frame (the
 * store scores on the main thread; the charts and the table follow a render later, and catch up
 * when the global thumb is released); the accuracy is re-measured by the worker once the edit
 * settles, and on the full test split on demand. For OSI-AI MicroNet both its honest count (each
 * layer's own zeros) and its published figure are shown. Export compressed writes the network
 * under the recipe as a compressed checkpoint (+ safetensors + recipe); Export for PyTorch the
 * network + recipe as a PyTorch job .zip (TorchExport). Next to the bits: weight
 * exponents per tensor or per channel, their choice (SigmaMax / least squared error) and the
 * sparsity allocation (QuantChoices). Below the table: the per-layer sensitivity and "Find a
 * recipe" (SensitivityView). The controls, the OSI-AI note and the deferred charts and table
 * are in components/ScoreControls.tsx, OsiNote.tsx and ScoreDeferred.tsx.
 */
import { useState } from 'react';
import { CompressedExport } from '../components/CompressedExport';
import { exitRateText } from '../components/exit-rate-text';
import { OsiNote } from '../components/OsiNote';
import { RunRecipe } from '../components/RunRecipe';
import { ScoreAccuracy } from '../components/ScoreAccuracy';
import { ScoreControls } from '../components/ScoreControls';
import { LayerTable, ReferenceChart, ShareChart } from '../components/ScoreDeferred';
import { ScoreEligibility } from '../components/ScoreEligibility';
import { ScoreHeadline } from '../components/ScoreHeadline';
import { SensitivityView } from '../components/SensitivityView';
import { DismissibleError } from '../components/StatusSlot';
import { TorchExport } from '../components/TorchExport';
import { recipeJson } from '../core/recipe/index';
import { useLabStore } from '../store/lab-store';

function RecipeError() {
  const error = useLabStore((s) => s.recipeError);
  const { dismissRecipeError } = useLabStore.getState();
  if (!error) return null;
  return (
    <DismissibleError testId="recipe-error" onDismiss={dismissRecipeError}>
      {error} — the lab keeps its default recipe.
    </DismissibleError>
  );
}

export function ScorePanel() {
  const inputs = useLabStore((s) => s.scoreInputs);
  const inputsError = useLabStore((s) => s.scoreInputsError);
  const score = useLabStore((s) => s.score);
  const scoreError = useLabStore((s) => s.scoreError);
  const exitRate = useLabStore((s) => s.exitRate);
  const key = useLabStore((s) => recipeJson(s.recipe));
  const [globalHeld, setGlobalHeld] = useState(false);

  const what = inputs
    ? `${inputs.network.name}, ${score?.profile ?? 'official'} counting, BN ${score?.foldBN === false ? 'unmerged' : 'folded'}`
    : null;
  const exit = exitRateText(exitRate);
  return (
    <section className="panel panel-score" aria-labelledby="score-heading">
      <h2 id="score-heading">Score</h2>
      <RecipeError />
      {!inputs && (
        <p className="idle-hint" data-testid="score-empty">
          {inputsError ??
            'No current network yet: import a checkpoint, or train or evaluate a zoo network.'}
        </p>
      )}
      <div className="score-top">
        <div>
          <ScoreHeadline score={score} />
          <ScoreEligibility />
          <p className={scoreError ? 'status status-error' : 'hint'} data-testid="score-context">
            {scoreError ?? [what, exit].filter(Boolean).join('; ')}
          </p>
          <p className="hint recipe-line">
            recipe <code data-testid="recipe-json">{key}</code>
          </p>
        </div>
        <ReferenceChart hold={globalHeld} />
      </div>
      <OsiNote />
      <ScoreControls hasExit={inputs?.table.hasExit ?? false} onGlobalHold={setGlobalHeld} />
      <div className="score-body">
        <ShareChart hold={globalHeld} />
        <ScoreAccuracy />
      </div>
      <LayerTable hold={globalHeld} />
      <SensitivityView />
      <RunRecipe />
      <CompressedExport />
      <TorchExport />
    </section>
  );
}
