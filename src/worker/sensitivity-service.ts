/**
 * The worker's side of the Score panel's sensitivity view and recipe planner. `measure()` runs
 * the core's per-layer sensitivity (core/compress/sensitivity: one layer at a time at each
 * candidate width and sparsity, the others as in the base recipe, plus the Hessian-trace
 * estimate) on the first N test records — the validation slice, as score-service measures it —
 * with the activation quantizers calibrated on the training split (the test split when no
 * training split is loaded). The report is kept here, tied to the network it was measured on;
 * `plan()` hands it to the core's planner (core/compress/plan) with the current weights. The core
 * functions are passed in (lab-api.ts), so the compiler checks their signatures there.
 */
import type { PlanOptions } from '../core/compress/plan/types';
import { effectiveLayerSparsity } from '../core/compress/score-model';
import type { SensitivityOptions } from '../core/compress/sensitivity/types';
import type { CifarDataset } from '../core/data/types';
import type { Network } from '../core/graph/network';
import { validateRecipe } from '../core/recipe/index';
import { cifarSource } from '../core/train/cifar-source';
import { holdWhenFree } from './analysis-service';
import type { CurrentNetwork } from './current-network';
import type { BackendInfo, JobProgress } from './lab-types';
import { headOf } from './score-service';
import type {
  PlanRequest,
  PlanResponse,
  PlanResult,
  SensitivityReport,
  SensitivityRequest,
  SensitivityResult,
} from '../protocol/sensitivity';

type Report = (p: JobProgress) => void;

const DEFAULT_BATCH = 100;

/** What the core's measureSensitivity takes (core/compress/sensitivity). */
export type CoreSensitivityOptions = SensitivityOptions;

/** What the core's planRecipe takes (core/compress/plan). */
export type CorePlanOptions = PlanOptions;

export interface SensitivityCore {
  measureSensitivity: (net: Network, o: CoreSensitivityOptions) => Promise<SensitivityReport>;
  planRecipe: (o: CorePlanOptions) => PlanResult;
}

interface Kept {
  id: number;
  net: Network;
  report: SensitivityReport;
}

function wholeAtLeast(v: number | undefined, what: string, min: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= min))
    throw new Error(`${what} must be a whole number ≥ ${min}, got ${v}`);
}

/** Checks a sensitivity request against the loaded test split; throws naming the bad value. */
export function checkSensitivityRequest(r: SensitivityRequest, testCount: number): void {
  wholeAtLeast(r.images, 'sensitivity: images', 1);
  if (r.images > testCount)
    throw new Error(`sensitivity: ${r.images} images asked, the test split has ${testCount}`);
  wholeAtLeast(r.batchSize, 'sensitivity: batch size', 1);
  for (const b of r.bits ?? [])
    if (!(Number.isInteger(b) && b >= 2 && b <= 16))
      throw new Error(`sensitivity: candidate widths must be whole numbers in 2–16, got ${b}`);
  for (const s of r.sparsities ?? [])
    if (!(s > 0 && s < 1))
      throw new Error(`sensitivity: candidate sparsities must be in (0, 1), got ${s}`);
}

/** Checks a plan request; throws naming the bad value. */
export function checkPlanRequest(r: PlanRequest): void {
  const { targetScore: t, accuracyFloor: f, exitRate: e } = r;
  if ((t === undefined) === (f === undefined))
    throw new Error(
      `plan: give exactly one of a target score or an accuracy floor, got ${t} / ${f}`,
    );
  if (t !== undefined && !(Number.isFinite(t) && t > 0))
    throw new Error(`plan: the target score must be a number > 0, got ${t}`);
  if (f !== undefined && !(f > 0 && f <= 1))
    throw new Error(`plan: the accuracy floor must be a fraction in (0, 1], got ${f}`);
  if (e !== undefined && !(e >= 0 && e <= 1))
    throw new Error(`plan: the exit rate must be in [0, 1], got ${e}`);
}

export class SensitivityService {
  private kept: Kept | null = null;
  private nextId = 1;

  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
    private readonly core: SensitivityCore,
  ) {}

  /** Forgets the report of `net` (its weights changed, e.g. by training). */
  invalidate(net: Network | null): void {
    if (net && this.kept?.net === net) this.kept = null;
  }

  /** Id of the report that belongs to the current network, or null. */
  validId(): number | null {
    const k = this.kept;
    return k && k.net === this.current.network ? k.id : null;
  }

  async measure(
    r: SensitivityRequest,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<SensitivityResult> {
    const test = data?.test;
    if (!test) throw new Error('No test split loaded: load test.bin or the archive first');
    checkSensitivityRequest(r, test.count);
    const base = validateRecipe(r.recipe);
    await this.ensureBackend();
    const net = this.current.network;
    if (!net) throw new Error('No current network: import, train or evaluate one first');
    const release = await holdWhenFree(this.current, 'measuring sensitivity', hooks.signal);
    try {
      hooks.report({ phase: 'starting', done: 0, total: null, unit: 'runs', etaSeconds: null });
      const report = await this.core.measureSensitivity(net, {
        source: headOf(cifarSource(test, null), r.images),
        calibration: cifarSource(data.train ?? test, null),
        batchSize: r.batchSize ?? DEFAULT_BATCH,
        base,
        bits: r.bits,
        sparsities: r.sparsities,
        hessian: r.hessian,
        signal: hooks.signal,
        onProgress: (p) =>
          hooks.report({
            phase: p.layer,
            done: p.done,
            total: p.total,
            unit: 'runs',
            etaSeconds: null,
          }),
      });
      if (hooks.signal.aborted) throw new DOMException('Sensitivity cancelled', 'AbortError');
      const id = this.nextId++;
      this.kept = { id, net, report };
      return {
        ...structuredClone(report),
        reportId: id,
        calibratedOn: data.train ? 'train' : 'test',
      };
    } finally {
      release();
    }
  }

  /** The planner's recipe for the kept report and the current weights; nothing is applied. */
  async plan(r: PlanRequest): Promise<PlanResponse> {
    checkPlanRequest(r);
    const net = this.current.network;
    const k = this.kept;
    if (!net) throw new Error('No current network: import, train or evaluate one first');
    if (!k || k.net !== net)
      throw new Error('The sensitivity belongs to an earlier network: measure it again first');
    if (k.id !== r.reportId)
      throw new Error(`plan: sensitivity report ${r.reportId} is not the current one (${k.id})`);
    const base = r.base === undefined ? undefined : validateRecipe(r.base);
    const weights = await net.toWeightsAsync();
    const plan = this.core.planRecipe({
      graph: net.graph,
      weights,
      report: k.report,
      targetScore: r.targetScore,
      accuracyFloor: r.accuracyFloor,
      exitRate: r.exitRate,
      base,
      bitsChoices: r.bitsChoices,
      sparsityChoices: r.sparsityChoices,
      allocation: r.allocation,
    });
    return { ...plan, baseSparsity: effectiveLayerSparsity(net.graph, weights, base ?? {}) };
  }
}
