/**
 * Evaluation progress as a job's progress report: "123 images/s", images done of total and the
 * time left — the same line for every service that evaluates (score measurement, evaluation).
 */
import type { EvalProgress } from '../core/train/evaluate';
import type { JobProgress } from './lab-types';

/** An evaluate() onProgress callback that reports through `report`. */
export function evalReport(report: (p: JobProgress) => void): (p: EvalProgress) => void {
  return (p) =>
    report({
      phase: `${p.imagesPerSecond.toFixed(p.imagesPerSecond < 10 ? 1 : 0)} images/s`,
      done: p.done,
      total: p.total,
      unit: 'images',
      etaSeconds: p.etaSeconds,
    });
}
