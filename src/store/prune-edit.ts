/**
 * Pure edits of the Pruning panel's PruneSpec (core/recipe/prune-spec.ts) and the rows its ratio
 * table shows. Channel method: a ratio belongs to a dependency group (keyed by the group id) —
 * every layer of the group shows it, so coupled layers move together. Eigenbasis method: a ratio
 * belongs to one analysed layer. "Suggest" turns the global-threshold plan into explicit
 * per-row ratios the user can then edit.
 */
import type { PruneMethod, PruneSpec } from '../core/recipe/index';
import type { PlanGroup, PrunePlan } from '../worker/lab-types';

/** Largest ratio a row may ask (the spec allows [0, 1)). */
export const MAX_ROW_RATIO = 0.95;

export const PRUNE_SPEC_DEFAULT: PruneSpec = { method: 'channels', ratio: 0.2, limit: 0.5 };

function fraction(v: number, what: string, max: number): number {
  if (!(Number.isFinite(v) && v >= 0 && v <= max))
    throw new Error(`${what} must be a number in [0, ${max}], got ${v}`);
  return v;
}

/** Another method: per-row ratios do not carry over (groups vs layers). */
export function withMethod(spec: PruneSpec, method: PruneMethod): PruneSpec {
  if (method === spec.method) return spec;
  return { ...withoutRowRatios(spec), method };
}

export function withRatio(spec: PruneSpec, ratio: number): PruneSpec {
  return { ...spec, ratio: fraction(ratio, 'The global ratio', MAX_ROW_RATIO) };
}

export function withLimit(spec: PruneSpec, limit: number): PruneSpec {
  return { ...spec, limit: fraction(limit, 'The per-layer cap', 1) };
}

/** Sets (or with null clears) the ratio of one group (channels) or layer (eigenbasis). */
export function withRowRatio(spec: PruneSpec, key: string, ratio: number | null): PruneSpec {
  const next = { ...spec.layerRatios };
  if (ratio === null) delete next[key];
  else next[key] = fraction(ratio, `The ratio of '${key}'`, MAX_ROW_RATIO);
  const rest = withoutRowRatios(spec);
  return Object.keys(next).length > 0 ? { ...rest, layerRatios: next } : rest;
}

export function withoutRowRatios(spec: PruneSpec): PruneSpec {
  const rest = { ...spec };
  delete rest.layerRatios;
  return rest;
}

/** The per-row ratios of a plan computed by the global threshold (what "Suggest" fills in). */
export function suggestedRatios(plan: PrunePlan): Record<string, number> {
  const rows =
    plan.method === 'channels'
      ? plan.groups.map((g) => [g.id, g.ratio] as const)
      : plan.layers.map((l) => [l.name, l.ratio] as const);
  return Object.fromEntries(rows.map(([k, r]) => [k, Math.min(MAX_ROW_RATIO, r)]));
}

/** What a row shows: the user's ratio while its plan is on its way, else the planned one. */
export function rowRatio(spec: PruneSpec, key: string, planned: number): number {
  return spec.layerRatios?.[key] ?? planned;
}

/** One table row: a layer of a channel group (coupled rows share the group's ratio). */
export interface GroupRow {
  group: string;
  layer: string;
  role: PlanGroup['layers'][number]['role'];
  /** First row of its group (the block's header cells). */
  first: boolean;
  size: number;
}

/** The channel table's rows: groups in plan order, each group's layers together. */
export function groupRows(groups: readonly PlanGroup[]): GroupRow[] {
  return groups.flatMap((g) =>
    g.layers.map((l, i) => ({
      group: g.id,
      layer: l.name,
      role: l.role,
      first: i === 0,
      size: g.layers.length,
    })),
  );
}

export interface ScheduleSettings {
  iterations: number;
  /** Fine-tune epochs per iteration (0: prune / grow only). */
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Share of each step's removals grown back (the seed's "annealing"). */
  growBack: number;
  /** Stop when validation top-1 falls below this (null: run all iterations). */
  targetAccuracy: number | null;
  /** Validation: the first N test records. */
  validationRecords: number;
}

export const SCHEDULE_DEFAULT: ScheduleSettings = {
  iterations: 3,
  epochs: 1,
  learningRate: 0.01,
  batchSize: 32,
  growBack: 0,
  targetAccuracy: null,
  validationRecords: 500,
};

/** Why the schedule settings cannot run (null: they can). */
export function scheduleSettingsError(s: ScheduleSettings): string | null {
  const int = (v: number) => Number.isInteger(v) && v >= 1;
  if (!int(s.iterations)) return `Iterations must be a whole number ≥ 1 (got ${s.iterations})`;
  if (!(Number.isInteger(s.epochs) && s.epochs >= 0))
    return `Fine-tune epochs must be a whole number ≥ 0 (got ${s.epochs})`;
  if (!int(s.batchSize)) return `Batch size must be a whole number ≥ 1 (got ${s.batchSize})`;
  if (!int(s.validationRecords))
    return `Validation records must be a whole number ≥ 1 (got ${s.validationRecords})`;
  if (!(s.learningRate > 0)) return `Learning rate must be > 0 (got ${s.learningRate})`;
  if (!(s.growBack >= 0 && s.growBack < 1))
    return `Grow-back must be in [0, 1) (got ${s.growBack})`;
  const t = s.targetAccuracy;
  if (t !== null && !(t >= 0 && t <= 1)) return `Target accuracy must be in [0, 1] (got ${t})`;
  return null;
}

/** The spec a schedule runs: the panel's spec with the schedule's iterations and rules. */
export function scheduleSpec(spec: PruneSpec, s: ScheduleSettings): PruneSpec {
  return {
    ...spec,
    iterations: s.iterations,
    ...(s.growBack > 0 ? { growBack: s.growBack } : {}),
    ...(s.targetAccuracy !== null ? { targetAccuracy: s.targetAccuracy } : {}),
  };
}
