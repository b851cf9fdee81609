/**
 * History rows and the (network, recipe) measure records: what a measurement reports to History
 * (a PairMeasure, from the Score panel or the Evaluate panel), the one 'edit' row a pair has,
 * the figures a row is shown with — its pair's record when it has one (so an evaluation made
 * later reaches an import's row), else the accuracy the row was saved with — and a row's score.
 */
import type { ScoreResult } from '../core/score/index';
import { recipeJson, type Recipe } from '../core/recipe/index';
import type { RunRecord, RunScore } from '../persist/history-db';
import type { EvalResult, ScoreInputs } from '../worker/lab-types';
import type { PairFigures } from './eligibility';
import { findRecord, isFullTest, type MeasureInput, type RecordMap } from './measure-records';
import { chooseExitRate, computeScore, scoreTableFor } from './score-compute';
import type { Measurement } from './score-slice';

/** A finished measurement of (network, recipe) as History records it. */
export interface PairMeasure {
  networkKey: string;
  recipeKey: string;
  /** ScoreInputs.networkId of the network measured; null: ask the worker. */
  networkId: number | null;
  /** Where it was measured, for the row's label: "validation slice", "full test set", … */
  where: string;
  seconds: number | null;
  top1: number;
  n: number;
  details: Record<string, unknown>;
}

export function pairOfMeasurement(m: Measurement): PairMeasure {
  return {
    networkKey: m.networkKey,
    recipeKey: m.recipeKey,
    networkId: m.networkId,
    where: m.kind === 'full' ? 'full test set' : 'validation slice',
    seconds: m.seconds,
    top1: m.top1EarlyExit ?? m.top1,
    n: m.n,
    details: {
      measuredOn: m.kind,
      top1Main: m.top1,
      top5: m.top5,
      loss: m.loss,
      exitRate: m.exitRate,
      imagesPerSecond: m.imagesPerSecond,
    },
  };
}

/** The recipe an evaluation ran: a compressed checkpoint's own, else none. */
export const evaluationRecipeKey = (r: EvalResult): string =>
  recipeJson(r.network.compressedRecipe ?? {});

export function pairOfEvaluation(r: EvalResult): PairMeasure {
  return {
    networkKey: r.networkKey,
    recipeKey: evaluationRecipeKey(r),
    networkId: null,
    where: isFullTest(r.n) ? 'evaluation, full test set' : `evaluation, ${r.n} test images`,
    seconds: r.imagesPerSecond > 0 ? r.n / r.imagesPerSecond : null,
    top1: r.earlyExit?.top1 ?? r.top1,
    n: r.n,
    details: {
      measuredOn: 'evaluate',
      top1Main: r.top1,
      top5: r.top5,
      loss: r.loss,
      exitRate: r.earlyExit?.exitRate ?? null,
      imagesPerSecond: r.imagesPerSecond,
    },
  };
}

export function measureInputOfEvaluation(r: EvalResult): MeasureInput {
  return {
    networkKey: r.networkKey,
    recipeKey: evaluationRecipeKey(r),
    model: r.model,
    top1: r.top1,
    top1EarlyExit: r.earlyExit?.top1 ?? null,
    n: r.n,
    exitRate: r.earlyExit?.exitRate ?? null,
    source: 'evaluate',
  };
}

export const scoreOf = (r: ScoreResult | null): RunScore | null =>
  r ? { score: r.score, paramsTerm: r.paramsTerm, opsTerm: r.opsTerm } : null;

/** The score of `recipe` on `inputs` (no per-layer detail), or null when it cannot be counted. */
export function scoreRecipe(
  inputs: ScoreInputs,
  recipe: Recipe,
  override: number | null,
): RunScore | null {
  const prepared = { ...inputs, table: scoreTableFor(inputs.graph) };
  const rate = chooseExitRate(prepared, override).rate;
  return scoreOf(computeScore(prepared, recipe, rate, false).score);
}

/** The 'edit' row of (networkKey, recipeKey), if History has one. */
export function findPairRun<T extends RunRecord>(
  runs: readonly T[],
  networkKey: string,
  recipeKey: string,
): T | undefined {
  return runs.find(
    (r) => r.kind === 'edit' && r.networkKey === networkKey && recipeJson(r.recipe) === recipeKey,
  );
}

/** The figures a row is shown with: its pair's record, else its saved accuracy. */
export function runFigures(run: RunRecord, records: RecordMap): PairFigures | null {
  const rec = findRecord(records, run.networkKey, recipeJson(run.recipe));
  if (rec && (rec.full || rec.slice)) return { full: rec.full, slice: rec.slice };
  const a = run.accuracy;
  if (!a) return null;
  return isFullTest(a.n) ? { full: a, slice: null } : { full: null, slice: a };
}
