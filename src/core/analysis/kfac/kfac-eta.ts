/**
 * Time-left estimate of a K-FAC analysis: batches (both passes) at the measured seconds per batch,
 * eigensolves at the measured seconds per n³ (before the first one, a typical float64 rate).
 */
import type { KfacProgress } from './kfac-types';

/** ~ml-matrix's symmetric EVD in V8: 600×600 in ≈ 2 s. */
const DEFAULT_SECONDS_PER_CUBE = 1e-8;
/** Weight (in n³ units) of that prior against measurements: small solves are overhead-bound. */
const PRIOR_CUBES = 1e7;

export class KfacEta {
  private readonly start = performance.now();
  private batchSeconds = 0;
  private batchesDone = 0;
  private cubeSeconds = 0;
  private cubesDone = 0;

  constructor(
    private readonly batchesTotal: number,
    private readonly cubesTotal: number,
  ) {}

  batchDone(seconds: number): void {
    this.batchSeconds += seconds;
    this.batchesDone++;
  }

  eigenDone(cubes: number, seconds: number): void {
    this.cubeSeconds += seconds;
    this.cubesDone += cubes;
  }

  etaSeconds(): number {
    const perBatch = this.batchesDone > 0 ? this.batchSeconds / this.batchesDone : 0;
    const perCube =
      (this.cubeSeconds + DEFAULT_SECONDS_PER_CUBE * PRIOR_CUBES) / (this.cubesDone + PRIOR_CUBES);
    const batchesLeft = Math.max(0, this.batchesTotal - this.batchesDone);
    const cubesLeft = Math.max(0, this.cubesTotal - this.cubesDone);
    return batchesLeft * perBatch + cubesLeft * perCube;
  }

  progress(phase: KfacProgress['phase'], done: number, total: number): KfacProgress {
    const elapsedSeconds = (performance.now() - this.start) / 1000;
    const etaSeconds = this.etaSeconds();
    const sum = elapsedSeconds + etaSeconds;
    return {
      phase,
      done,
      total,
      fraction: sum > 0 ? elapsedSeconds / sum : 1,
      etaSeconds,
      elapsedSeconds,
    };
  }
}
