/**
 * The Score panel's per-layer share chart, reference chart and layer table, rendered from
 * deferred (or, while the global sparsity thumb is held, kept) score and recipe values, so the
 * headline follows every edit in the same frame.
 */
import { memo, useDeferredValue, useMemo, useState } from 'react';
import { useLabStore } from '../store/lab-store';
import { LayerScoreChart } from './LayerScoreChart';
import { LayerScoreTable } from './LayerScoreTable';
import { useEligibility } from './ScoreEligibility';
import { ScoreReferenceChart } from './ScoreReferenceChart';

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

export function ShareChart({ hold }: { hold: boolean }) {
  const { score } = useDeferredScore(hold);
  return <DeferredShareChart layers={score?.layers ?? NO_LAYERS} />;
}

export function ReferenceChart({ hold }: { hold: boolean }) {
  const { score } = useDeferredScore(hold);
  const status = useEligibility().status;
  return <DeferredReferenceChart score={score?.score ?? null} status={status} />;
}

export function LayerTable({ hold }: { hold: boolean }) {
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
