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
 * recipe" (SensitivityView).
 */
import { memo, useDeferredValue, useId, useMemo, useState } from 'react';
import { BitsPicker } from '../components/BitsPicker.tsx';
import { CompressedExport } from '../components/CompressedExport.tsx';
import { TorchExport } from '../components/TorchExport.tsx';
import { LayerScoreChart } from '../components/LayerScoreChart.tsx';
import { LayerScoreTable } from '../components/LayerScoreTable.tsx';
import { QuantChoices } from '../components/QuantChoices.tsx';
import { ScoreAccuracy } from '../components/ScoreAccuracy.tsx';
import { ScoreEligibility, useEligibility } from '../components/ScoreEligibility.tsx';
import { ScoreHeadline } from '../components/ScoreHeadline.tsx';
import { RunRecipe } from '../components/RunRecipe.tsx';
import { ScoreReferenceChart } from '../components/ScoreReferenceChart.tsx';
import { SensitivityView } from '../components/SensitivityView.tsx';
import { SparsitySlider } from '../components/SparsitySlider.tsx';
import { formatPercent } from '../format/format.ts';
import { formatScore } from '../format/score-format.ts';
import { FULL_PRECISION, recipeJson, type CountingProfile } from '../core/recipe/index.ts';
import { globalBits } from '../store/recipe-edit.ts';
import { osiReference, type ExitRateChoice } from '../store/score-compute.ts';
import { useLabStore } from '../store/lab-store.ts';

function exitRateText(e: ExitRateChoice | null): string {
  if (!e || e.rate === undefined) return '';
  const r = formatPercent(e.rate, 2);
  switch (e.source) {
    case 'override':
      return `early exit at ${r} (set here)`;
    case 'measured':
      return `early exit at ${r}, measured by the last evaluation`;
    case 'published':
      return `early exit at ${r}, OSI-AI's reported rate (evaluate the network to measure it)`;
    default:
      return 'early exit at 0 % (not measured yet: evaluate the network)';
  }
}

function RecipeError() {
  const error = useLabStore((s) => s.recipeError);
  const { dismissRecipeError } = useLabStore.getState();
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="recipe-error">
      <span>{error} — the lab keeps its default recipe.</span>
      <button type="button" className="small" onClick={dismissRecipeError}>
        Dismiss
      </button>
    </div>
  );
}

function ExitRateField() {
  const id = useId();
  const override = useLabStore((s) => s.exitRateOverride);
  const choice = useLabStore((s) => s.exitRate);
  const { setExitRateOverride } = useLabStore.getState();
  return (
    <div className="field">
      <label htmlFor={id}>Early-exit rate</label>
      <input
        id={id}
        type="number"
        min={0}
        max={1}
        step={0.0001}
        placeholder={choice?.rate === undefined ? '' : String(choice.rate)}
        value={override ?? ''}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          setExitRateOverride(Number.isNaN(v) ? null : v);
        }}
      />
    </div>
  );
}

function ScoreControls({
  hasExit,
  onGlobalHold,
}: {
  hasExit: boolean;
  onGlobalHold: (held: boolean) => void;
}) {
  const recipe = useLabStore((s) => s.recipe);
  const foldBN = useLabStore((s) => s.score?.foldBN ?? recipe.foldBN ?? true);
  const profileId = useId();
  const freebieId = useId();
  const a = useLabStore.getState();
  return (
    <div className="score-controls">
      <SparsitySlider
        label="Global extra sparsity (smallest magnitudes, all layers)"
        value={recipe.sparsity ?? 0}
        onChange={a.setSparsity}
        onHold={(held) => {
          onGlobalHold(held);
          a.setSliderHeld(held);
        }}
        testId="global-sparsity"
      />
      <BitsPicker
        label="Weight bits"
        value={globalBits(recipe, 'weight')}
        onChange={(b) => a.setBits({ weight: b ?? FULL_PRECISION })}
        testId="weight-bits"
      />
      <BitsPicker
        label="Activation bits"
        value={globalBits(recipe, 'activation')}
        onChange={(b) => a.setBits({ activation: b ?? FULL_PRECISION })}
        testId="activation-bits"
      />
      <QuantChoices />
      <div className="field">
        <label htmlFor={profileId}>Counting</label>
        <select
          id={profileId}
          value={recipe.countingProfile ?? 'official'}
          onChange={(e) => a.setCountingProfile(e.currentTarget.value as CountingProfile)}
        >
          <option value="official">official (counting.py)</option>
          <option value="seed">seed's counter</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={freebieId}>16-bit freebie</label>
        <select
          id={freebieId}
          value={recipe.freebie === false ? 'off' : 'auto'}
          onChange={(e) => a.setFreebie(e.currentTarget.value === 'off' ? false : undefined)}
        >
          <option value="auto">while nothing is below 16 bits</option>
          <option value="off">off: count 32-bit</option>
        </select>
      </div>
      {hasExit && <ExitRateField />}
      <label className="check">
        <input
          type="checkbox"
          checked={foldBN}
          onChange={(e) => a.setFoldBN(e.currentTarget.checked)}
        />
        fold BN into the conv bias
      </label>
      <button type="button" onClick={a.resetRecipe}>
        Reset recipe
      </button>
    </div>
  );
}

function OsiNote() {
  const inputs = useLabStore((s) => s.scoreInputs);
  const override = useLabStore((s) => s.exitRateOverride);
  const ref = useMemo(() => (inputs ? osiReference(inputs, override) : null), [inputs, override]);
  if (!ref) return null;
  return (
    <div className="osi-note" data-testid="osi-note">
      <p className="hint" data-testid="osi-note-explain">
        “As counted”: this lab’s count of OSI-AI’s real weights; “as published”: OSI-AI’s own
        figure, from the sparsities it assumed.
      </p>
      <div>
        <span className="osi-label">as counted</span>{' '}
        <strong data-testid="osi-as-counted">{formatScore(ref.asCounted.score)}</strong>
        <span className="hint">
          {' '}
          each layer's own zeros, 16-bit freebie, BN folded, {exitRateText(ref.exitRate)}
        </span>
      </div>
      <div>
        <span className="osi-label">as published</span>{' '}
        <strong data-testid="osi-as-published">{formatScore(ref.asPublished.score)}</strong>
        <span className="hint">
          {' '}
          the uniform 64 % / 50 % sparsity OSI-AI assumed (its layers really differ), exit at 29.29
          %
        </span>
      </div>
    </div>
  );
}

/**
 * The charts and the table render deferred values: the headline updates in the urgent render,
 * these in a following interruptible one. Memoized, so the urgent render (props still the old
 * deferred ones) skips them — without memo it would re-render them in full. While the global
 * sparsity thumb is held they keep the values from before the drag and catch up on release:
 * recharts' commits and the table's relayout cost more than a frame on an 800-layer net
 * (BENCHMARKS.md, "dragging the sparsity slider").
 */
const DeferredTable = memo(LayerScoreTable);
const DeferredShareChart = memo(LayerScoreChart);
const DeferredReferenceChart = memo(ScoreReferenceChart);
const NO_LAYERS: readonly never[] = [];

/** `value`, or while `hold` is true the value it had when the hold began. */
function useHeldValue<T>(value: T, hold: boolean): T {
  const [kept, setKept] = useState(value);
  if (!hold && kept !== value) setKept(value); // state adjusted during render (React docs)
  return hold ? kept : value;
}

/** The score and recipe for the charts and table: a frame behind the headline, or held. */
function useDeferredScore(hold: boolean) {
  const live = useLabStore((s) => s.score);
  const liveRecipe = useLabStore((s) => s.recipe);
  const score = useDeferredValue(useHeldValue(live, hold));
  return { score, recipe: useDeferredValue(useHeldValue(liveRecipe, hold)) };
}

function ShareChart({ hold }: { hold: boolean }) {
  const { score } = useDeferredScore(hold);
  return <DeferredShareChart layers={score?.layers ?? NO_LAYERS} />;
}

function ReferenceChart({ hold }: { hold: boolean }) {
  const { score } = useDeferredScore(hold);
  const status = useEligibility().status;
  return <DeferredReferenceChart score={score?.score ?? null} status={status} />;
}

function LayerTable({ hold }: { hold: boolean }) {
  const { score, recipe } = useDeferredScore(hold);
  const inputs = useLabStore((s) => s.scoreInputs);
  const prunable = useMemo(() => new Set(inputs?.table.prunable.keys() ?? []), [inputs]);
  const { setLayerSparsity, setLayerBits, setSliderHeld } = useLabStore.getState();
  return (
    <DeferredTable
      layers={score?.layers ?? NO_LAYERS}
      recipe={recipe}
      prunable={prunable}
      onSparsity={setLayerSparsity}
      onBits={setLayerBits}
      onHold={setSliderHeld}
    />
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
