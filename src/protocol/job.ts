/**
 * What every long worker job shares: its progress as reported through the comlink callback, and
 * the error name a cancelled job rejects with.
 */

/** Progress of any long job; `total` null when unknown. */
export interface JobProgress {
  phase: string;
  done: number;
  total: number | null;
  /** Unit of done/total, e.g. "bytes", "steps", "images". */
  unit: string;
  etaSeconds: number | null;
}

/** Thrown across the boundary as an Error whose name is 'AbortError' when a job is cancelled. */
export const ABORT_ERROR_NAME = 'AbortError';
