/**
 * The worker's side of the Pruning panel: live plans of a structured prune (core/prune-plan), the
 * one-shot prune (core/compress/prune pruneNetwork: channel groups or eigenbasis Tucker-2), and
 * the seed's gradual schedule (prune → fine-tune → grow back …, core pruneSchedule). A prune or a
 * finished schedule makes the smaller network the current one, so Score, Evaluate and Export
 * see it. A schedule's last finished iteration is kept here, so a cancelled run can resume.
 */
import {
  pruneNetwork,
  type ScheduleOptions,
  type ScheduleProgress,
  type ScheduleResult,
  type ScheduleState,
} from '../core/compress/prune/index';
import { STANDARD_AUGMENT } from '../core/data/augment';
import type { CifarDataset } from '../core/data/types';
import type { Graph, Weights } from '../core/graph/ir';
import { Network } from '../core/graph/network';
import { countParams } from '../core/graph/params';
import { validatePruneSpec, type PruneSpec, type Recipe } from '../core/recipe/index';
import { cifarSource } from '../core/train/cifar-source';
import { TrainControl } from '../core/train/control';
import { holdWhenFree, type AnalysisService } from './analysis-service';
import type { CurrentNetwork } from './current-network';
import { groupImportance, groupRoles, planPrune } from '../core/prune-plan/prune-plan';
import type {
  BackendInfo,
  JobProgress,
  NetworkInfo,
  PruneOutcome,
  PrunePlan,
  ScheduleIteration,
  ScheduleOutcome,
  ScheduleRequest,
  ScheduleSaved,
} from './lab-types';

type Report = (p: JobProgress) => void;

export interface PruneHooks {
  signal: AbortSignal;
  report: Report;
}

/** The schedule runner (core pruneSchedule; tests pass a fake). */
export type ScheduleRunner = (o: ScheduleOptions) => Promise<ScheduleResult>;

export interface ScheduleHooks extends PruneHooks {
  onIteration: (record: ScheduleIteration) => void;
}

/** An unfinished schedule: the network it started from, its spec and its last finished state. */
interface Saved {
  net: Network;
  spec: PruneSpec;
  state: ScheduleState;
}

function checkRequest(r: ScheduleRequest): void {
  const int = (v: number, what: string) => {
    if (!(Number.isInteger(v) && v >= 1))
      throw new Error(`schedule: ${what} must be a whole number ≥ 1, got ${v}`);
  };
  if (!(Number.isInteger(r.epochs) && r.epochs >= 0))
    throw new Error(`schedule: fine-tune epochs must be a whole number ≥ 0, got ${r.epochs}`);
  int(r.batchSize, 'batch size');
  int(r.validationRecords, 'validation records');
  if (!(r.learningRate > 0))
    throw new Error(`schedule: learning rate must be > 0, got ${r.learningRate}`);
}

/** What plans of one network reuse: its weights, group roles and channel importance. */
interface Derived {
  weights: Weights;
  roles: ReturnType<typeof groupRoles>;
  scores: Map<string, Float64Array> | null;
}

export class PruneService {
  private readonly derived = new WeakMap<Network, Derived>();
  private saved: Saved | null = null;

  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
    private readonly analysis: AnalysisService,
    private readonly runSchedule: ScheduleRunner | null,
  ) {}

  /** Forgets what was derived from `net`'s weights (training changed them in place). */
  invalidate(net: Network | null): void {
    if (net) this.derived.delete(net);
  }

  private async derivedOf(net: Network): Promise<Derived> {
    let d = this.derived.get(net);
    if (!d) {
      d = { weights: await net.toWeightsAsync(), roles: groupRoles(net.graph), scores: null };
      if (this.current.network === net) this.derived.set(net, d);
    }
    return d;
  }

  private async weightsOf(net: Network): Promise<Weights> {
    return (await this.derivedOf(net)).weights;
  }

  private requireNet(): Network {
    const net = this.current.network;
    if (!net) throw new Error('No current network: import, train or evaluate one first');
    return net;
  }

  /**
   * The planned prune of the current network with its score before → after (core/prune-plan).
   * `exitRate` is the rate the main thread scores with (measured, typed or published): the
   * worker knows only the measured one. Bursts of edits are debounced by the store (prune-slice
   * PLAN_DEBOUNCE_MS, one plan in flight at a time), not here.
   */
  async plan(specIn: PruneSpec, recipe: Recipe, exitRate: number | null): Promise<PrunePlan> {
    const spec = validatePruneSpec(specIn);
    await this.ensureBackend();
    const net = this.requireNet();
    const d = await this.derivedOf(net);
    if (spec.method === 'channels') d.scores ??= groupImportance(net.graph, d.weights);
    const kept = this.analysis.keptFor(net);
    return planPrune({
      graph: net.graph,
      weights: d.weights,
      spec,
      recipe,
      exitRate: exitRate ?? undefined,
      roles: d.roles,
      ...(d.scores ? { scores: d.scores } : {}),
      kfac: kept && { id: kept.id, layers: kept.layers },
    });
  }

  /** Makes graph + weights the current network (same origin and source as the one it replaces). */
  private install(graph: Graph, weights: Weights, prev: NetworkInfo): NetworkInfo {
    const old = this.current.network;
    this.current.replace(Network.fromWeights(graph, weights), prev.origin, prev.source);
    this.analysis.invalidate(old);
    return this.current.info()!;
  }

  /** One-shot prune of the current network; the pruned network becomes current. */
  async prune(specIn: PruneSpec, hooks: PruneHooks): Promise<PruneOutcome> {
    const spec = validatePruneSpec(specIn);
    await this.ensureBackend();
    const net = this.requireNet();
    const kept = this.analysis.keptFor(net);
    if (spec.method === 'eigenbasis' && !kept)
      throw new Error(
        'Eigenbasis pruning needs a K-FAC analysis of the current network: press Analyse in the Spectra panel first',
      );
    const t0 = performance.now();
    const release = await holdWhenFree(this.current, 'pruning', hooks.signal);
    let r: Awaited<ReturnType<typeof pruneNetwork>>;
    const prev = this.current.info()!;
    try {
      hooks.report({ phase: 'pruning', done: 0, total: 1, unit: 'steps', etaSeconds: null });
      const d = await this.derivedOf(net);
      r = await pruneNetwork({
        graph: net.graph,
        weights: d.weights,
        spec,
        ...(d.scores ? { scores: d.scores } : {}),
        ...(kept ? { kfac: kept.layers } : {}),
        signal: hooks.signal,
      });
    } finally {
      release();
    }
    if (hooks.signal.aborted) throw new DOMException('Pruning cancelled', 'AbortError');
    const network = this.install(r.graph, r.weights, prev);
    hooks.report({ phase: 'pruned', done: 1, total: 1, unit: 'steps', etaSeconds: 0 });
    return {
      paramsBefore: r.paramsBefore,
      paramsAfter: r.paramsAfter,
      network,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** The unfinished schedule kept for "Resume", when it started from the current network. */
  savedSchedule(): ScheduleSaved | null {
    const s = this.saved;
    if (!s || s.net !== this.current.network) return null;
    return {
      iteration: s.state.iteration,
      iterations: s.spec.iterations ?? 1,
      history: s.state.history.map((h) => ({ ...h })),
    };
  }

  discardSchedule(): void {
    this.saved = null;
  }

  /**
   * Runs (or resumes) the gradual schedule of `spec` on the current network: fine-tuning on the
   * train split, validation on the first test records. Completed or stopped by its rule: the
   * result becomes the current network. Cancelled: the network is unchanged and the last
   * finished iteration is kept for resume.
   */
  async schedule(
    specIn: PruneSpec,
    request: ScheduleRequest,
    data: CifarDataset | null,
    hooks: ScheduleHooks,
  ): Promise<ScheduleOutcome> {
    const spec = validatePruneSpec(specIn);
    checkRequest(request);
    if (!this.runSchedule) throw new Error('The pruning schedule is not available in this build');
    if (!data?.train) throw new Error('The schedule fine-tunes on the train split: load it first');
    if (!data.test) throw new Error('The schedule validates on the test split: load it first');
    await this.ensureBackend();
    const net = this.requireNet();
    const resume = request.resume ? this.resumeState(net) : undefined;
    const runSpec = resume ? this.saved!.spec : spec;
    if (!resume) this.saved = null;
    const validation = cifarSource(data.test, null);
    const control = new TrainControl();
    const onAbort = () => control.cancel();
    hooks.signal.addEventListener('abort', onAbort);
    const release = await holdWhenFree(this.current, 'running a pruning schedule', hooks.signal);
    const prev = this.current.info()!;
    const paramsBefore = countParams(net.graph);
    let sent = resume?.history.length ?? 0;
    let r: ScheduleResult;
    try {
      r = await this.runSchedule({
        graph: net.graph,
        weights: await this.weightsOf(net),
        spec: runSpec,
        fineTune: {
          epochs: request.epochs,
          learningRate: request.learningRate,
          batchSize: request.batchSize,
        },
        train: cifarSource(data.train, STANDARD_AUGMENT),
        validation: { ...validation, size: Math.min(request.validationRecords, validation.size) },
        batchSize: request.batchSize,
        seed: request.seed,
        control,
        ...(resume ? { resume } : {}),
        onIteration: (state) => {
          this.saved = { net, spec: runSpec, state };
          for (const rec of state.history.slice(sent)) hooks.onIteration({ ...rec });
          sent = state.history.length;
        },
        onProgress: (p) => hooks.report(scheduleProgress(p)),
      });
    } finally {
      release();
      hooks.signal.removeEventListener('abort', onAbort);
    }
    const history = r.history.map((h) => ({ ...h }));
    if (r.status === 'cancelled' || hooks.signal.aborted)
      return {
        status: 'cancelled',
        history,
        network: null,
        paramsBefore,
        paramsAfter: paramsBefore,
      };
    this.saved = null;
    const network = this.install(r.graph, r.weights, prev);
    return { status: r.status, history, network, paramsBefore, paramsAfter: network.params };
  }

  private resumeState(net: Network): ScheduleState {
    const s = this.saved;
    if (!s) throw new Error('No unfinished schedule to resume: run one first');
    if (s.net !== net)
      throw new Error('The current network changed since that schedule ran: start a new one');
    return s.state;
  }
}

/** ScheduleProgress as a job progress: overall percent, phase and iteration in the label. */
export function scheduleProgress(p: ScheduleProgress): JobProgress {
  return {
    phase:
      `iteration ${p.iteration} of ${p.iterations}: ${p.phase}` +
      (p.steps ? ` (step ${p.steps.done} of ${p.steps.total})` : ''),
    done: Math.round(Math.min(1, Math.max(0, p.fraction)) * 1000) / 10,
    total: 100,
    unit: '%',
    etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null,
  };
}
