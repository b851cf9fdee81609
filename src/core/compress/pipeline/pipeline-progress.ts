/**
 * Progress of a recipe run (run-recipe.ts) in one shape for the CLI's stderr lines and the lab's
 * job panel: the stage, its step out of its steps, the fraction of the stage done and an ETA.
 * Fine-tuning dominates a run, so its ETA is the rest of the whole schedule at the speed of the
 * last metrics window (the final calibration and evaluation come on top); evaluation's is its own.
 */
import type { EvalProgress } from '../../train/evaluate';
import type { TrainMetrics } from '../../train/trainer';

export type PipelineStage = 'prune' | 'fine-tune' | 'calibrate' | 'evaluate' | 'export';

export interface PipelineProgress {
  stage: PipelineStage;
  /** 1-based: the prune step (prune, fine-tune), images done (evaluate), else 1. */
  step: number;
  steps: number;
  /** Share of the stage done, in [0, 1] (fine-tune: of the whole prune schedule). */
  fraction: number;
  etaSeconds?: number;
  /** Training metrics (fine-tune). */
  metrics?: TrainMetrics;
}

/** Fine-tuning progress of prune step k (0-based) of `steps`, from one metrics report. */
export function fineTuneProgress(
  k: number,
  steps: number,
  m: TrainMetrics,
  batchSize: number,
): PipelineProgress {
  const total = steps * m.totalSteps;
  const done = k * m.totalSteps + m.step;
  const perBatch = m.imagesPerSecond > 0 ? batchSize / m.imagesPerSecond : 0;
  return {
    stage: 'fine-tune',
    step: k + 1,
    steps,
    fraction: total > 0 ? Math.min(1, done / total) : 1,
    etaSeconds: Math.max(0, total - done) * perBatch,
    metrics: m,
  };
}

export function evalProgress(p: EvalProgress): PipelineProgress {
  return {
    stage: 'evaluate',
    step: p.done,
    steps: p.total,
    fraction: p.total > 0 ? p.done / p.total : 1,
    etaSeconds: p.etaSeconds,
  };
}

/** One human line for a progress report (the CLI's stderr). */
export function progressLine(p: PipelineProgress): string {
  const pct = `${(p.fraction * 100).toFixed(1)}%`;
  const eta = p.etaSeconds === undefined ? '' : ` eta ${formatSeconds(p.etaSeconds)}`;
  const m = p.metrics;
  const metrics = m
    ? ` epoch ${m.epoch + 1} batch ${m.step}/${m.totalSteps} loss ${m.loss.toFixed(4)} acc ${m.acc.toFixed(4)}`
    : '';
  return `${p.stage} ${p.step}/${p.steps}${metrics} ${pct}${eta}`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`;
}
