/**
 * One accuracy record per (network, recipe) as the history database keeps it (history-db.ts
 * `measurements`); store/measure-records.ts builds and merges them. Types only.
 */
export type MeasureSource = 'evaluate' | 'score' | 'recipe-run' | 'prune';

/** Top-1 measured on the first `n` test images. */
export interface AccuracyFigure {
  /** Top-1 the eligibility rests on: with early exit where the network has an exit head. */
  top1: number;
  /** Top-1 of the main head. */
  top1Main: number;
  n: number;
  exitRate: number | null;
  source: MeasureSource;
  /** Date.now() when it was measured. */
  time: number;
}

export interface MeasureRecord {
  /** recordKey(networkKey, recipeKey). */
  key: string;
  networkKey: string;
  /** recipeJson() of the recipe measured. */
  recipeKey: string;
  /** Graph name of the network, e.g. "tiny". */
  model: string;
  full: AccuracyFigure | null;
  slice: AccuracyFigure | null;
  /** Time of the newest figure. */
  time: number;
}
