/**
 * One record per (network, recipe): every accuracy measurement — the Evaluate panel's, the Score
 * panel's (slice or full), a recipe run's — lands in the record of its network's content key
 * (ScoreInputs.networkKey) and canonical recipe (recipeJson), so the Score panel, History and its
 * Pareto chart all show the same figures for the same pair. A record keeps its full-test figure
 * (all 10,000 test images; the newest) and its largest slice (the newest of equal size).
 */
import { recipeJson, type Recipe } from '../core/recipe/index';
import type { SliceAccuracy } from '../worker/lab-types';
import type { AccuracyFigure, MeasureRecord, MeasureSource } from '../persist/measure-record';
import { FULL_TEST } from './eligibility';

// The stored shape lives with the store that keeps it (persist/history-db.ts).
export type { AccuracyFigure, MeasureRecord, MeasureSource } from '../persist/measure-record';

/** What a finished measurement reports (addMeasurement). */
export interface MeasureInput {
  networkKey: string;
  recipeKey: string;
  model: string;
  top1: number;
  top1EarlyExit: number | null;
  n: number;
  exitRate: number | null;
  source: MeasureSource;
  time?: number;
}

export type RecordMap = Readonly<Record<string, MeasureRecord>>;

export const recordKey = (networkKey: string, recipeKey: string): string =>
  `${networkKey}|${recipeKey}`;

/** True when `n` images are the whole CIFAR-100 test set. */
export const isFullTest = (n: number): boolean => n >= FULL_TEST;

export function figureOf(m: MeasureInput, time: number): AccuracyFigure {
  return {
    top1: m.top1EarlyExit ?? m.top1,
    top1Main: m.top1,
    n: m.n,
    exitRate: m.exitRate,
    source: m.source,
    time,
  };
}

/** The record after `m`: a full figure replaces the full one; a slice replaces a smaller one. */
export function mergeMeasurement(prev: MeasureRecord | undefined, m: MeasureInput): MeasureRecord {
  const time = m.time ?? Date.now();
  const f = figureOf(m, time);
  const base: MeasureRecord = prev ?? {
    key: recordKey(m.networkKey, m.recipeKey),
    networkKey: m.networkKey,
    recipeKey: m.recipeKey,
    model: m.model,
    full: null,
    slice: null,
    time,
  };
  if (isFullTest(f.n)) return { ...base, full: f, time };
  const keep = base.slice !== null && base.slice.n > f.n;
  return { ...base, slice: keep ? base.slice : f, time };
}

/** The record of (networkKey, recipeKey), or null. */
export function findRecord(
  records: RecordMap,
  networkKey: string | null | undefined,
  recipeKey: string,
): MeasureRecord | null {
  if (!networkKey) return null;
  return records[recordKey(networkKey, recipeKey)] ?? null;
}

/** A one-shot prune's slice figure of a network as it is (a compressed one: its own recipe). */
export function sliceInput(
  a: SliceAccuracy,
  model: string,
  compressedRecipe: Recipe | undefined,
): MeasureInput {
  return {
    networkKey: a.networkKey,
    recipeKey: recipeJson(compressedRecipe ?? {}),
    model,
    top1: a.top1,
    top1EarlyExit: a.top1EarlyExit,
    n: a.n,
    exitRate: null,
    source: 'prune',
  };
}

/** The figure a record is shown with: the full-test one, else the slice. */
export const bestFigure = (r: MeasureRecord | null): AccuracyFigure | null =>
  r ? (r.full ?? r.slice) : null;
